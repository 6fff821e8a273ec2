import SEAMTypes

extension ModuleProfile {
    /// The TDCALL leaves this module defines: the entries of the leaf registry (`TDCallLeaves`), which
    /// describes 1.5.01, the only profile; a second profile brings its own table.
    public var leaves: Set<Leaf> { TDCallLeaves.defined }
}
