import SEAMTypes

extension Machine {
    /// Reads L1's view of memory: `count` bytes from `gpa`. Every page touched must be a private GPA that
    /// L1 can access (an L1 SEPT leaf in MAPPED state) or a shared page the host mapped
    /// (`mapShared`); nothing is read otherwise.
    public func readMemory(gpa: UInt64, count: Int) throws(MachineError) -> [UInt8] {
        try checkL1Accessible(gpa: gpa, count: count)
        return gather(gpa: gpa, count: count)
    }

    /// Writes L1's view of memory (private, or shared pages the host mapped): a store of L1's, so the TD
    /// must be finalized. Every page touched must be L1-accessible; on error nothing is written.
    public mutating func writeMemory(gpa: UInt64, _ bytes: [UInt8]) throws(MachineError) {
        var failure: MachineError?
        bytes.withUnsafeBytes { b in
            do throws(MachineError) { try writeMemory(gpa: gpa, from: b) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes the bytes of `source` to L1's view of private memory at `gpa` (the C ABI's form: no array).
    /// The TD must be finalized and every page touched L1-accessible; on error nothing is written.
    public mutating func writeMemory(gpa: UInt64, from source: UnsafeRawBufferPointer) throws(MachineError) {
        guard opState == .runnable else { throw .notFinalized }
        try checkL1Accessible(gpa: gpa, count: source.count)
        scatter(gpa: gpa, source)
    }

    /// L1's store on `vcpu`: the vCPU runs L1 (`checkRunsL1`: it exists, the TD is finalized, it is not in L2
    /// or waiting for the host), then `writeMemory`'s rules. On error nothing is written.
    public mutating func store(vcpu: Int, gpa: UInt64, from source: UnsafeRawBufferPointer) throws(MachineError) {
        try checkRunsL1(vcpu)
        try writeMemory(gpa: gpa, from: source)
    }

    /// `store(vcpu:gpa:from:)` of an array.
    public mutating func store(vcpu: Int, gpa: UInt64, _ bytes: [UInt8]) throws(MachineError) {
        try checkRunsL1(vcpu)
        try writeMemory(gpa: gpa, bytes)
    }

    /// Throws `.notL1Accessible` (with the first GPA it cannot reach) unless every page of [gpa, gpa + count)
    /// is a private page mapped for L1 — or, with `pendingTakesVE`, a PENDING one — or a shared page the host
    /// mapped. Inlined: out of line, `writeMemory` copied the whole machine to call it (inject_deliver_eoi,
    /// callgrind).
    @inline(__always)
    package func checkL1Accessible(gpa: UInt64, count: Int, pendingTakesVE: Bool = false) throws(MachineError) {
        guard count >= 0 else { throw .notL1Accessible(gpa: gpa) }
        guard count > 0 else { return }
        let (last, overflow) = gpa.addingReportingOverflow(UInt64(count - 1))
        guard !overflow else { throw .notL1Accessible(gpa: gpa) }
        var page = gpa & ~0xFFF
        while page <= last {
            if width.isValidPrivate(page) {
                guard let r = space.leaf(containing: page),
                    r.state.isGuestAccessibleLeaf
                        || (pendingTakesVE && (r.state == .pending || r.state == .pendingExportedDirty))
                else { throw .notL1Accessible(gpa: max(page, gpa)) }
            } else {
                guard isSharedMapped(page) else { throw .notL1Accessible(gpa: max(page, gpa)) }
            }
            page += 0x1000
        }
    }
}
