import SEAMTypes

/// The host's shared EPT: host memory the host maps at shared GPAs (the SHARED bit, GPAW − 1, set). The host
/// edits this EPT itself — no SEAMCALL is involved and the module never sees it — so these are host-side
/// operations on the machine, not leaves. A mapped shared page is memory L1 reaches without a TD exit
/// (`readMemory`, `writeMemory`, L1 stores), and L2 too when its L2_CTLS[vm].ENABLE_SHARED_EPTP is set;
/// an unmapped one stays an EPT-violation TD exit. No shared GPA is ever in a SEPT.
extension Machine {
    /// The host maps `size` bytes of shared GPAs from `gpa` (both 4K-aligned, SHARED bit set, within GPAW):
    /// each page not yet mapped is mapped to fresh zeroed host memory; a page already mapped keeps its bytes.
    public mutating func mapShared(gpa: UInt64, size: UInt64) throws(MachineError) {
        for page in try sharedPages(gpa: gpa, size: size) { space.setShared(page, true) }
    }

    /// The host unmaps `size` bytes of shared GPAs from `gpa` (the same rules as `mapShared`); their bytes are
    /// gone (mapped again, they read as zeros). Unmapping a page that is not mapped does nothing.
    public mutating func unmapShared(gpa: UInt64, size: UInt64) throws(MachineError) {
        for page in try sharedPages(gpa: gpa, size: size) { space.setShared(page, false) }
    }

    /// The host's store into its shared memory: every page touched must be a mapped shared page; on error
    /// nothing is written. Allowed before TDH.MR.FINALIZE (the host owns this memory).
    public mutating func writeShared(gpa: UInt64, _ bytes: [UInt8]) throws(MachineError) {
        try checkSharedMapped(gpa: gpa, count: bytes.count)
        bytes.withUnsafeBytes { scatter(gpa: gpa, $0) }
    }

    /// The host's read of its shared memory: every page touched must be a mapped shared page.
    public func readShared(gpa: UInt64, count: Int) throws(MachineError) -> [UInt8] {
        try checkSharedMapped(gpa: gpa, count: count)
        return gather(gpa: gpa, count: count)
    }

    /// Carries out a host step's operation on the shared memory (or on a posted-interrupt descriptor, which
    /// SoftSEAM keeps per vCPU): what L2 did when a posted-interrupt notification reached it, else nil.
    @discardableResult
    public mutating func apply(_ op: Step.SharedMemoryOp) throws(MachineError) -> L2Outcome? {
        switch op {
        case .map(let gpa, let size): try mapShared(gpa: gpa, size: size)
        case .unmap(let gpa, let size): try unmapShared(gpa: gpa, size: size)
        case .write(let w): try writeShared(gpa: w.gpa, w.bytes)
        case .l1InterruptState(let vcpu, let rvi, let ppr):
            try setL1VirtualInterruptState(vcpu: vcpu, rvi: rvi, ppr: ppr)
        case .postInterrupt(let vcpu, let vectors, let notify):
            return try postInterrupt(vcpu: vcpu, vectors: vectors, notify: notify)
        case .irtePush(let vcpu, let gpa, let event):
            // A refusal shows only in `applyOutcome`'s result.
            if case .success(let l2) = try pushIRTE(vcpu: vcpu, gpa: gpa, event) { return l2 }
        }
        return nil
    }

    /// `apply` as a step's outcome: `completed`, what L2 did when a notification reached it, or a refused
    /// shared-IRTE push.
    public mutating func applyOutcome(_ op: Step.SharedMemoryOp) throws(MachineError) -> StepOutcome {
        if case .irtePush(let vcpu, let gpa, let event) = op {
            switch try pushIRTE(vcpu: vcpu, gpa: gpa, event) {
            case .success(let l2): return l2.map { StepOutcome(l2: $0) } ?? StepOutcome()
            case .failure(let why): return StepOutcome(result: .refused(why))
            }
        }
        return try apply(op).map { StepOutcome(l2: $0) } ?? StepOutcome()
    }

    /// Whether the shared page holding `gpa` is mapped in the host's shared EPT.
    public func isSharedMapped(_ gpa: UInt64) -> Bool {
        gpa & width.sharedMask != 0 && gpa >> UInt64(width.bits) == 0 && space.isSharedMapped(gpa >> 12)
    }

    /// The page indices of a map or unmap range, after its checks.
    func sharedPages(gpa: UInt64, size: UInt64) throws(MachineError) -> StrideTo<UInt64> {
        let (end, overflow) = gpa.addingReportingOverflow(size)
        guard gpa & 0xFFF == 0, size & 0xFFF == 0, size > 0 else {
            throw .notSharedMemory(gpa: gpa, "a shared mapping is whole 4K pages: start and size 4K-aligned, size > 0")
        }
        guard !overflow, gpa & width.sharedMask != 0, (end - 1) >> UInt64(width.bits) == 0 else {
            throw .notSharedMemory(
                gpa: gpa,
                "the range is not all shared GPAs (SHARED bit \(width.sharedBit) set, "
                    + "within GPAW \(width.bits))")
        }
        return stride(from: gpa >> 12, to: end >> 12, by: 1)
    }

    func checkSharedMapped(gpa: UInt64, count: Int) throws(MachineError) {
        guard count > 0 else { return }
        let (last, overflow) = gpa.addingReportingOverflow(UInt64(count - 1))
        guard !overflow else { throw .notSharedMemory(gpa: gpa, "the range wraps") }
        var page = gpa & ~0xFFF
        while page <= last {
            guard isSharedMapped(page) else {
                throw .notSharedMemory(gpa: max(page, gpa), "not a shared page the host mapped")
            }
            page += 0x1000
        }
    }

    /// `count` bytes from `gpa`, page by page (zeros where a page holds none).
    func gather(gpa: UInt64, count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var a = gpa
        let end = gpa + UInt64(count)
        while a < end {
            let offset = Int(a & 0xFFF)
            let n = min(4096 - offset, Int(end - a))
            out += space.page(a >> 12)[offset..<offset + n]
            a += UInt64(n)
        }
        return out
    }

    /// Writes `source` at `gpa`, page by page (`gather`'s counterpart; the caller has checked the pages).
    mutating func scatter(gpa: UInt64, _ source: UnsafeRawBufferPointer) {
        var a = gpa
        var i = 0
        while i < source.count {
            let offset = Int(a & 0xFFF)
            let n = min(4096 - offset, source.count - i)
            space.write(a >> 12, offset: offset, UnsafeRawBufferPointer(rebasing: source[i..<i + n]))
            a += UInt64(n)
            i += n
        }
    }
}
