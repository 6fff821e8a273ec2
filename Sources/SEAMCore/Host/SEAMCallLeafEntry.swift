import SEAMTypes

/// One row of the SEAMCALL leaf registry (`SEAMCallLeaves.all`): a host leaf SoftSEAM models, its ABI name,
/// the highest version it accepts, what SoftSEAM does with it and the handler that does it.
package struct SEAMCallLeafEntry: Sendable {
    /// A host-leaf handler: runs the leaf on the machine with the version from RAX bits 23:16 and writes the
    /// host's registers as the module does. Returns what a TDH.VP.ENTER did; nil for every other leaf.
    package typealias Handler = @Sendable (inout Machine, UInt8, inout RegisterFile) -> HostEntryOutcome?

    /// The leaf number, RAX bits 15:0.
    package let leaf: SEAMCallLeaf
    /// The ABI name, e.g. "TDH.MEM.SEPT.ADD".
    package let name: String
    /// The highest version (RAX bits 23:16) the leaf accepts; the module answers a higher one with
    /// OPERAND_INVALID(RAX).
    package let maxVersion: UInt8
    /// The README's status cell: what the implementation covers.
    package let summary: String
    /// The handler; nil while SoftSEAM does not implement the leaf (the call answers OPERAND_INVALID(RAX)).
    package let handler: Handler?

    /// Whether SoftSEAM carries the leaf out.
    package var isImplemented: Bool { handler != nil }

    /// An entry whose handler only writes registers (every host leaf but TDH.VP.ENTER).
    init(
        _ leaf: SEAMCallLeaf, _ name: String, maxVersion: UInt8 = 0, summary: String,
        handler: @escaping @Sendable (inout Machine, UInt8, inout RegisterFile) -> Void
    ) {
        let entering: Handler = { m, version, regs in
            handler(&m, version, &regs)
            return nil
        }
        self.init(leaf, name, maxVersion: maxVersion, summary: summary, entering: entering)
    }

    /// An entry whose handler may enter the TD (TDH.VP.ENTER).
    init(_ leaf: SEAMCallLeaf, _ name: String, maxVersion: UInt8 = 0, summary: String, entering handler: Handler?) {
        self.leaf = leaf
        self.name = name
        self.maxVersion = maxVersion
        self.summary = summary
        self.handler = handler
    }
}
