public enum SEAMSpecPlaceholder {}
