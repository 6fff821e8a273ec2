import SEAMTypes

/// One row of the TDCALL leaf registry (`TDCallLeaves.all`): a leaf TDX module 1.5.01 defines, its ABI
/// name, the highest version it accepts, what SoftSEAM does with it and the handler that does it.
package struct TDCallLeafEntry: Sendable {
    /// A leaf handler: runs the leaf's checks and effects on the machine for L1 of the vCPU (the second
    /// argument), with the version from RAX bits 23:16, and writes L1's registers as the module does.
    package typealias Handler =
        @Sendable (inout Machine, Int, UInt8, inout RegisterFile) throws(MachineError) -> TDCallOutcome

    /// The leaf number, RAX bits 15:0.
    package let leaf: Leaf
    /// The ABI name, e.g. "TDG.MEM.PAGE.ATTR.WR".
    package let name: String
    /// The highest version (RAX bits 23:16) the leaf accepts; the module answers a higher one with
    /// OPERAND_INVALID(RAX).
    package let maxVersion: UInt8
    /// The README's status cell: "not yet", or what the implementation covers.
    package let summary: String
    /// The handler; nil while SoftSEAM does not implement the leaf (the call answers OPERAND_INVALID(RAX)).
    package let handler: Handler?

    /// Whether SoftSEAM carries the leaf out.
    package var isImplemented: Bool { handler != nil }

    /// An entry; without a handler the leaf is defined by the module but not implemented yet.
    init(_ leaf: Leaf, _ name: String, maxVersion: UInt8 = 0, summary: String = "not yet", handler: Handler? = nil) {
        self.leaf = leaf
        self.name = name
        self.maxVersion = maxVersion
        self.summary = summary
        self.handler = handler
    }
}
