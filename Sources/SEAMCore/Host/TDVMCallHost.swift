import SEAMTypes

/// SoftSEAM's deterministic host: it answers the GHCI TDVMCALLs (R10 = 0, sub-function in R11) that real L1s
/// issue — CPUID (10), HLT (12), I/O (30), RDMSR (31), WRMSR (32), MMIO (48), GetTdVmCallInfo (0x10000),
/// MapGPA (0x10001), GetQuote (0x10002), ReportFatalError (0x10003), SetupEventNotifyInterrupt (0x10004) —
/// and the TD-partitioning SVSM's shared-IRTE header registration (0x20001, not in the GHCI) with fixed
/// values (`entry(after:vcpu:in:)` says what each answers), re-enters L2 after an external interrupt, and hands every other TD exit from L2 to L1
/// with RESUME_L1 (L1 then sees TDX_L2_EXIT_HOST_ROUTED_ASYNC, as when a real host resumes L1 to inject an
/// interrupt). It leaves fault-like exits of L1's TDCALLs alone: it cannot add what the TDCALL missed, and
/// re-entering would only repeat the exit. When asked (`keepsLog`), what it did is kept in `log`, in order,
/// and the serial console's bytes in `serial`; otherwise it keeps nothing per exit, so an L1 that runs for
/// hours through it does not grow it.
public struct BuiltInTDVMCallHost: TDExitHandler, Sendable {
    /// Whether `log` and `serial` are kept (false unless asked for: they grow with every exit).
    public let keepsLog: Bool
    /// One line per TD exit handled, e.g. `vcpu 0 vm 1 TDVMCALL IO out port 0x3f8 size 1 data 0x41`, when
    /// `keepsLog`; empty otherwise.
    public private(set) var log: [String] = []
    /// Bytes L2 or L1 wrote to I/O port 0x3F8 (the serial console) through TDVMCALL I/O, when `keepsLog`;
    /// empty otherwise.
    public private(set) var serial: [UInt8] = []
    /// The error code of a ReportFatalError, if one came.
    public private(set) var fatalError: UInt64?

    /// What a SetupEventNotifyInterrupt asked for: the vector the host is to inject into L1 of `vcpu` when an
    /// event it signals (a GetQuote completing, …) happens. Nothing injects it yet; the shared-IRTE ring does
    /// not use it: the host signals a ring with the ring's own vector (its byte 0, `Machine.pushIRTE`), by
    /// which the SVSM's handler finds the VM.
    public struct EventNotify: Hashable, Sendable {
        public var vector: UInt8
        public var vcpu: Int
        public init(vector: UInt8, vcpu: Int) {
            self.vector = vector
            self.vcpu = vcpu
        }
    }
    /// The last SetupEventNotifyInterrupt the host accepted; nil until one comes.
    public private(set) var eventNotify: EventNotify?

    /// A shared-IRTE ring the TD-partitioning SVSM registered for one L2 VM (TDVMCALL 0x20001): the ring's
    /// GPA (R12, 4K-aligned, without the SHARED bit: the SVSM passes the page's own address after MapGPA made
    /// it shared) and its length in 4K pages (R14). The host pushes the VM's device interrupts into it and
    /// signals L1 with the ring's vector (`pushIRTE(vm:_:vcpu:engine:comment:)`, `Machine.pushIRTE`).
    public struct SharedIRTEHeader: Hashable, Sendable {
        public var gpa: UInt64
        public var pages: UInt64
        public init(gpa: UInt64, pages: UInt64) {
            self.gpa = gpa
            self.pages = pages
        }
    }
    /// At most this many 4K pages converted per MapGPA: a longer range is converted up to the limit and
    /// answered TDG.VP.VMCALL_RETRY with R11 = the GPA to resume from (GHCI MapGPA). nil: no limit.
    public var mapGPAPageLimit: UInt64?

    /// The shared-EPT change the last accepted MapGPA asks for, which `handle` carries out through the
    /// engine (a host step) before it re-enters the vCPU; nil when the last TDVMCALL asked for none.
    public private(set) var sharedOperation: Step.SharedMemoryOp?

    /// Registered rings by L2 VM (index 0 ↔ VM 1, as R13 counts them); nil for a VM with none.
    public private(set) var sharedIRTEHeaders: [SharedIRTEHeader?] = [nil, nil, nil]

    /// The comment its TDH.VP.ENTER steps carry (the demo's "TDH.VP.ENTER"), nil for none.
    public var stepComment: String?

    public init(stepComment: String? = nil, keepsLog: Bool = false) {
        self.stepComment = stepComment
        self.keepsLog = keepsLog
    }

    /// GHCI TDVMCALL completion statuses (R10; GHCI §3.2 "TDG.VP.VMCALL").
    public enum Status {
        public static let success: UInt64 = 0
        /// TDG.VP.VMCALL_RETRY: R11 holds the GPA to resume a MapGPA from.
        public static let retry: UInt64 = 1
        public static let invalidOperand: UInt64 = 0x8000_0000_0000_0000
        /// TDG.VP.VMCALL_GPA_INUSE.
        public static let gpaInUse: UInt64 = 0x8000_0000_0000_0001
        /// TDG.VP.VMCALL_ALIGN_ERROR: an operand (a MapGPA start or size) is not 4K-aligned.
        public static let alignError: UInt64 = 0x8000_0000_0000_0002
        /// TDG.VP.VMCALL_SUBFUNC_UNSUPPORTED: the host does not provide the sub-function (the status the GHCI
        /// added for this case; earlier hosts answered INVALID_OPERAND).
        public static let subFunctionUnsupported: UInt64 = 0x8000_0000_0000_0003
    }

    /// GHCI TDVMCALL sub-function numbers (R11).
    public enum SubFunction {
        public static let cpuid: UInt64 = 10
        public static let hlt: UInt64 = 12
        public static let io: UInt64 = 30
        public static let rdmsr: UInt64 = 31
        public static let wrmsr: UInt64 = 32
        public static let mmio: UInt64 = 48
        public static let getTdVmCallInfo: UInt64 = 0x10000
        public static let mapGPA: UInt64 = 0x10001
        public static let getQuote: UInt64 = 0x10002
        public static let reportFatalError: UInt64 = 0x10003
        public static let setupEventNotifyInterrupt: UInt64 = 0x10004
        /// The TD-partitioning SVSM's SHARED_IRTE_HDR (not in the GHCI: its own number in the range the GHCI
        /// leaves to VMM-specific calls).
        public static let sharedIRTEHeader: UInt64 = 0x20001
    }

    /// The CPUID answer for `leaf`: leaf 0 reports maximum leaf 0x1F and the vendor "SoftSEAMTDX ", leaf 1
    /// family 6 with the hypervisor bit, everything else zeros.
    public static func cpuid(leaf: UInt32, subleaf: UInt32) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        switch leaf {
        case 0: (0x1F, 0x7466_6F53, 0x2058_4454, 0x4D41_4553)  // "Soft" "SEAM" "TDX "
        case 1: (0x0006_06A6, 0, 1 << 31, 0)
        default: (0, 0, 0, 0)
        }
    }

    public mutating func handle<O: StepObserver>(_ exit: TDExit, vcpu: Int, engine: inout Engine<O>)
        -> HostEntryOutcome?
    {
        guard engine.machine.vcpus[vcpu].pendingExit?.kind != .l1FaultLike else { return nil }
        var regs = entry(after: exit, vcpu: vcpu, in: engine.machine)
        if let op = sharedOperation {
            // `entry` checked the range: whole shared pages within GPAW (mapped ones for a GetQuote answer),
            // which map, unmap and write accept.
            let comment = if case .write = op { "GetQuote answer" } else { "MapGPA" }
            do throws(MachineError) { try engine.host(op, comment: comment) } catch {
                preconditionFailure("\(comment) \(op): \(error)")
            }
        }
        return engine.seamcall(&regs, comment: stepComment)
    }

    /// The TDH.VP.ENTER this host issues after `exit` of `vcpu` of the TD `machine`: RAX = 0, RCX = the vCPU's
    /// TDVPR with RESUME_L1 (bit 53) for an L2 exit L1 should see, and the TDVMCALL's outputs in the other
    /// registers (R10 the status, GHCI "TDG.VP.VMCALL"). `handle` runs it; a recorder can log it as the host's
    /// SEAMCALL step. The answers, by sub-function (R11):
    ///
    ///     CPUID      R12–R15 = `cpuid(leaf: R12, subleaf: R13)`
    ///     HLT, WRMSR accepted;  RDMSR R11 = 0;  I/O in R11 = all ones of the size (nothing there)
    ///     MMIO       R12 size 1/2/4/8, R13 0 read / 1 write, R14 a shared GPA aligned to the size, R15 the
    ///                value written: else INVALID_OPERAND; a read answers R11 = all ones of the size (no
    ///                device there), a write is accepted and dropped
    ///     GetTdVmCallInfo  R12 = leaf 0: R11 = R12 = R13 = R14 = 0 (no sub-function beyond the GHCI's base
    ///                set is enumerated); any other leaf INVALID_OPERAND
    ///     MapGPA     R12 start (SHARED bit = direction), R13 size: size 0, a range past the GPAW or across
    ///                the SHARED bit → INVALID_OPERAND; start or size not 4K-aligned → ALIGN_ERROR; else
    ///                the shared pages are mapped (to shared) or unmapped (to private) in the host's shared
    ///                EPT (`sharedOperation`, carried out by `handle`) — up to `mapGPAPageLimit` pages, the
    ///                rest answered RETRY with R11 = the GPA to resume from
    ///     GetQuote   R12 the shared buffer's GPA (4K-aligned, else ALIGN_ERROR), R13 its size (a multiple of 4K
    ///                within GPAW and mapped shared memory, else INVALID_OPERAND): the GHCI buffer (version 1,
    ///                status, in_len, out_len, data) holding a TDREPORT; the host answers in the buffer —
    ///                status 0, out_len and a SoftSEAM quote (`TDQuote`) when the report's MAC is this TD's
    ///                and the quote fits, GET_QUOTE_ERROR otherwise (`quote`, carried out by `handle`)
    ///     ReportFatalError  R12 kept in `fatalError`
    ///     SetupEventNotifyInterrupt  R12 vector 32…255 kept in `eventNotify` with the vCPU; else
    ///                INVALID_OPERAND
    ///     0x20001    (TD-partitioning SVSM) R12 ring GPA 4K-aligned and private-valid, R13 VM index 0 … NUM_L2_VMS−1,
    ///                R14 pages ≥ 1: kept in `sharedIRTEHeaders[R13]`; else INVALID_OPERAND
    ///     other      INVALID_OPERAND
    ///
    /// A failing sub-function leaves every output register but R10 as the TD passed it.
    public mutating func entry(after exit: TDExit, vcpu: Int, in machine: Machine) -> RegisterFile {
        let vm = exit.vm
        let reason = exit.exitReason.rawValue
        var out = exit.registers
        sharedOperation = nil
        guard reason == ExitReason.tdcall.rawValue else {
            let resumeL1 = vm != 0 && reason != ExitReason.externalInterrupt.rawValue
            if keepsLog {
                log.append("vcpu \(vcpu) vm \(vm) TD exit \(exit.exitReason)\(resumeL1 ? " → RESUME_L1" : "")")
            }
            return RegisterFile(rax: 0, rcx: Machine.tdvpr(vcpu: vcpu) | (resumeL1 ? Machine.resumeL1 : 0))
        }
        let r = exit.registers
        out.r10 = Status.success
        var what = "sub-function \(hexShort(r.r11))"
        switch r.r11 {
        case SubFunction.cpuid:
            let c = BuiltInTDVMCallHost.cpuid(
                leaf: UInt32(truncatingIfNeeded: r.r12), subleaf: UInt32(truncatingIfNeeded: r.r13))
            (out.r12, out.r13, out.r14, out.r15) = (UInt64(c.eax), UInt64(c.ebx), UInt64(c.ecx), UInt64(c.edx))
            what = "CPUID \(hexShort(r.r12))"
        case SubFunction.hlt:
            what = "HLT"
        case SubFunction.io:
            let write = r.r13 != 0
            if keepsLog && write && r.r14 == 0x3F8 { serial.append(UInt8(truncatingIfNeeded: r.r15)) }
            if !write { out.r11 = r.r12 >= 4 ? 0xFFFF_FFFF : (1 << (8 * r.r12)) - 1 }  // nothing there: all ones
            what =
                "IO \(write ? "out" : "in") port \(hexShort(r.r14)) size \(r.r12)"
                + (write ? " data \(hexShort(r.r15))" : "")
        case SubFunction.rdmsr:
            out.r11 = 0
            what = "RDMSR \(hexShort(r.r12))"
        case SubFunction.wrmsr:
            what = "WRMSR \(hexShort(r.r12)) \(hexShort(r.r13))"
        case SubFunction.mmio:
            let write = r.r13 == 1
            what =
                "MMIO \(write ? "write" : "read") \(hexShort(r.r14)) size \(r.r12)"
                + (write ? " data \(hexShort(r.r15))" : "")
            guard [1, 2, 4, 8].contains(r.r12), r.r13 <= 1, r.r14 & (r.r12 - 1) == 0,
                Self.isSharedGPA(r.r14, size: r.r12, machine.width)
            else {
                out.r10 = Status.invalidOperand
                break
            }
            if !write { out.r11 = r.r12 == 8 ? ~0 : (1 << (8 * r.r12)) - 1 }  // no device: all ones
        case SubFunction.getTdVmCallInfo:
            what = "GetTdVmCallInfo leaf \(r.r12)"
            guard r.r12 == 0 else {
                out.r10 = Status.invalidOperand
                break
            }
            (out.r11, out.r12, out.r13, out.r14) = (0, 0, 0, 0)
        case SubFunction.mapGPA:
            what = "MapGPA \(hexShort(r.r12)) size \(hexShort(r.r13))"
            out.r10 = Self.mapGPAStatus(start: r.r12, size: r.r13, machine.width)
            guard out.r10 == Status.success else { break }
            var size = r.r13
            if let limit = mapGPAPageLimit, size >> 12 > limit {
                size = limit << 12
                out.r10 = Status.retry
                out.r11 = r.r12 + size
            }
            guard size > 0 else { break }
            let gpa = r.r12 | machine.width.sharedMask
            sharedOperation =
                r.r12 & machine.width.sharedMask != 0 ? .map(gpa: gpa, size: size) : .unmap(gpa: gpa, size: size)
        case SubFunction.getQuote:
            what = "GetQuote \(hexShort(r.r12)) size \(hexShort(r.r13))"
            out.r10 = quote(buffer: r.r12, size: r.r13, machine)
        case SubFunction.reportFatalError:
            fatalError = r.r12
            what = "ReportFatalError \(hexShort(r.r12))"
        case SubFunction.setupEventNotifyInterrupt:
            what = "SetupEventNotifyInterrupt vector \(hexShort(r.r12))"
            guard (32...255).contains(r.r12) else {
                out.r10 = Status.invalidOperand
                break
            }
            eventNotify = EventNotify(vector: UInt8(r.r12), vcpu: vcpu)
        case SubFunction.sharedIRTEHeader:
            what = "SHARED_IRTE_HDR \(hexShort(r.r12)) VM index \(r.r13) pages \(r.r14)"
            guard r.r12 & 0xFFF == 0, machine.width.isValidPrivate(r.r12), r.r13 < UInt64(machine.numL2VMs),
                r.r14 >= 1
            else {
                out.r10 = Status.invalidOperand
                break
            }
            sharedIRTEHeaders[Int(r.r13)] = SharedIRTEHeader(gpa: r.r12, pages: r.r14)
        default:
            out.r10 = Status.invalidOperand
        }
        if keepsLog { log.append("vcpu \(vcpu) vm \(vm) TDVMCALL \(what)") }
        out.rax = 0
        out.rcx = Machine.tdvpr(vcpu: vcpu)
        return out
    }
}

extension BuiltInTDVMCallHost {
    /// Whether `size` bytes from `gpa` are all shared GPAs of a TD of width `width`: the SHARED bit set and
    /// nothing above the GPAW.
    static func isSharedGPA(_ gpa: UInt64, size: UInt64, _ width: GPAWidth) -> Bool {
        let (last, overflow) = gpa.addingReportingOverflow(size - 1)
        return !overflow && last >> UInt64(width.bits) == 0 && gpa & width.sharedMask != 0
    }

    /// The GHCI status of a MapGPA of `size` bytes from `start`: INVALID_OPERAND for an empty range, one that
    /// wraps, leaves the GPAW or has its two ends on different sides of the SHARED bit; then ALIGN_ERROR when
    /// the start or the size is not 4K-aligned; else SUCCESS.
    static func mapGPAStatus(start: UInt64, size: UInt64, _ width: GPAWidth) -> UInt64 {
        let (end, overflow) = start.addingReportingOverflow(size)
        guard size != 0, !overflow, (end - 1) >> UInt64(width.bits) == 0,
            start & width.sharedMask == (end - 1) & width.sharedMask
        else { return Status.invalidOperand }
        guard start & 0xFFF == 0, size & 0xFFF == 0 else { return Status.alignError }
        return Status.success
    }
}

extension BuiltInTDVMCallHost {
    /// GHCI GetQuote status values written in the buffer's status field.
    public enum QuoteStatus {
        public static let success: UInt64 = 0
        public static let error: UInt64 = 0x8000_0000_0000_0000
    }

    /// GetQuote of the GHCI buffer at `gpa` (`size` bytes): its checks, then the answer it writes back, kept in
    /// `sharedOperation` for `handle` to store. The buffer: version (8 bytes, 1), status (8), in_len (4),
    /// out_len (4), then in_len bytes of data — a 1,024-byte TDREPORT_STRUCT. The answer: status 0 and the
    /// quote (`TDQuote`) in data with out_len its size; or status GET_QUOTE_ERROR when the report is not 1,024
    /// bytes, its MAC is not this TD's (as a quoting enclave verifies it first), or the quote does not fit.
    mutating func quote(buffer gpa: UInt64, size: UInt64, _ machine: Machine) -> UInt64 {
        guard gpa & 0xFFF == 0 else { return Status.alignError }
        guard size > 0, size & 0xFFF == 0, Self.isSharedGPA(gpa, size: size, machine.width),
            let header = try? machine.readShared(gpa: gpa, count: 24),
            (try? machine.checkSharedMapped(gpa: gpa, count: Int(size))) != nil
        else { return Status.invalidOperand }
        var answer = header
        let inLength = Int(UInt32(littleEndianBytes: header[16..<20]))
        let report = inLength == TDReport.size ? try? machine.readShared(gpa: gpa + 24, count: inLength) : nil
        if let report, TDReport.hasValidMAC(report, machine),
            24 + TDQuote.size <= Int(size)
        {
            answer.replaceSubrange(8..<16, with: QuoteStatus.success.littleEndianBytes)
            answer.replaceSubrange(20..<24, with: UInt32(TDQuote.size).littleEndianBytes)
            answer += TDQuote.make(report: report)
        } else {
            answer.replaceSubrange(8..<16, with: QuoteStatus.error.littleEndianBytes)
            answer.replaceSubrange(20..<24, with: [0, 0, 0, 0])
        }
        sharedOperation = .write(Step.MemoryWrite(gpa: gpa, bytes: answer))
        return Status.success
    }
}
