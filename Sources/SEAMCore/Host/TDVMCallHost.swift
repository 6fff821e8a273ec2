import SEAMTypes

/// SoftSEAM's deterministic host: it answers the common GHCI TDVMCALLs (R10 = 0, sub-function in R11) —
/// CPUID (10), HLT (12), I/O (30), RDMSR (31), WRMSR (32), MapGPA (0x10001), ReportFatalError (0x10003) —
/// with fixed values, re-enters L2 after an external interrupt, and hands every other TD exit from L2 to L1
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

    /// The comment its TDH.VP.ENTER steps carry (the demo's "TDH.VP.ENTER"), nil for none.
    public var stepComment: String?

    public init(stepComment: String? = nil, keepsLog: Bool = false) {
        self.stepComment = stepComment
        self.keepsLog = keepsLog
    }

    /// GHCI TDVMCALL completion statuses (R10; GHCI §3.2 "TDG.VP.VMCALL").
    public enum Status {
        public static let success: UInt64 = 0
        public static let invalidOperand: UInt64 = 0x8000_0000_0000_0000
    }

    /// GHCI TDVMCALL sub-function numbers (R11).
    public enum SubFunction {
        public static let cpuid: UInt64 = 10
        public static let hlt: UInt64 = 12
        public static let io: UInt64 = 30
        public static let rdmsr: UInt64 = 31
        public static let wrmsr: UInt64 = 32
        public static let mapGPA: UInt64 = 0x10001
        public static let reportFatalError: UInt64 = 0x10003
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
        var regs = entry(after: exit, vcpu: vcpu)
        return engine.seamcall(&regs, comment: stepComment)
    }

    /// The TDH.VP.ENTER this host issues after `exit` of `vcpu`: RAX = 0, RCX = the vCPU's TDVPR with
    /// RESUME_L1 (bit 53) for an L2 exit L1 should see, and the TDVMCALL's outputs in the other registers.
    /// `handle` runs it; a recorder can log it as the host's SEAMCALL step.
    public mutating func entry(after exit: TDExit, vcpu: Int) -> RegisterFile {
        let vm = exit.vm
        let reason = exit.exitReason.rawValue
        var out = exit.registers
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
        case SubFunction.mapGPA:
            what = "MapGPA \(hexShort(r.r12)) size \(hexShort(r.r13))"
        case SubFunction.reportFatalError:
            fatalError = r.r12
            what = "ReportFatalError \(hexShort(r.r12))"
        default:
            out.r10 = Status.invalidOperand
        }
        if keepsLog { log.append("vcpu \(vcpu) vm \(vm) TDVMCALL \(what)") }
        out.rax = 0
        out.rcx = Machine.tdvpr(vcpu: vcpu)
        return out
    }
}
