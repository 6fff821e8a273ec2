import SEAMTypes

extension Leaf: CustomStringConvertible {
    /// The ABI name (`TDG.MEM.PAGE.ATTR.WR`) from the leaf registry, or nil for a number 1.5.01 does not
    /// define.
    public var name: String? { TDCallLeaves.entry(self)?.name }

    /// The ABI name, or "TDCALL leaf N" for a number 1.5.01 does not define.
    public var description: String { name ?? "TDCALL leaf \(rawValue)" }
}
