import SEAMTypes

extension SEAMCallLeaf: CustomStringConvertible {
    /// The ABI name (`TDH.MEM.SEPT.ADD`) from the leaf registry, or nil for a host leaf SoftSEAM does not model.
    public var name: String? { SEAMCallLeaves.entry(self)?.name }

    /// The ABI name, or "SEAMCALL leaf N" for a host leaf SoftSEAM does not model.
    public var description: String { name ?? "SEAMCALL leaf \(rawValue)" }
}
