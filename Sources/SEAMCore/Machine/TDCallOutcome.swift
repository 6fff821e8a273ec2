import SEAMTypes

/// What a TDCALL did, beyond the registers it wrote.
public enum TDCallOutcome: Hashable, Sendable {
    /// The call completed; its status is in RAX and its outputs in the other registers.
    case completed
    /// The call caused a TD exit to the host. L1's registers are untouched and its RIP is not advanced
    /// (the exits SEAMCore raises from leaves are fault-like, reference §12 O4): when the host re-enters,
    /// the TDCALL runs again.
    case tdExit(TDExit)
}

/// The registers the host sees on a TD exit, as TDH.VP.ENTER returns them (reference §1.7, §12 E7).
public struct TDExit: Hashable, Sendable, CustomStringConvertible {
    /// Status with the VMX exit reason in bits 31:0 (e.g. 48 for an EPT violation).
    public var rax: UInt64
    /// Exit qualification, with the VM index (CURR_VM) in bits 33:32.
    public var rcx: UInt64
    /// Extended exit qualification.
    public var rdx: UInt64
    /// GPA (bits 11:0 cleared for EPT violations).
    public var r8: UInt64
    /// VM-exit interruption information.
    public var r9: UInt64

    public init(rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0) {
        self.rax = rax
        self.rcx = rcx
        self.rdx = rdx
        self.r8 = r8
        self.r9 = r9
    }

    /// An EPT-violation TD exit (exit reason 48) raised while `vm` is current.
    public static func eptViolation(
        gpa: UInt64, qualification: UInt64 = 0,
        eeq: ExtendedExitQualification = ExtendedExitQualification(rawValue: 0),
        vm: Int = 0
    ) -> TDExit {
        TDExit(
            rax: UInt64(ExitReason.eptViolation.rawValue),
            rcx: (qualification & ~UInt64.mask(33, 32)) | UInt64(vm & 3) << 32,
            rdx: eeq.rawValue, r8: gpa & ~0xFFF)
    }

    /// The exit reason in RAX bits 31:0.
    public var exitReason: ExitReason { ExitReason(UInt32(truncatingIfNeeded: rax)) }
    /// The extended exit qualification in RDX.
    public var eeq: ExtendedExitQualification { ExtendedExitQualification(rawValue: rdx) }
    /// The VM index in RCX bits 33:32.
    public var vm: Int { Int(rcx.bits(33, 32)) }

    /// The host-facing register file: RAX, RCX, RDX, R8, R9 as above, everything else zero.
    public var registers: RegisterFile {
        RegisterFile(rax: rax, rcx: rcx, rdx: rdx, r8: r8, r9: r9)
    }

    public var description: String {
        "TD exit \(exitReason) qual \(hexShort(rcx)) \(eeq) gpa \(hexShort(r8))"
    }
}

/// Misuse of the Swift API that no register value can cause (a vCPU that does not exist, memory L1 cannot
/// reach).
public enum MachineError: Error, Hashable, Sendable, CustomStringConvertible {
    case noSuchVCPU(Int, count: Int)
    /// A memory access through the host API to a GPA L1 cannot reach (shared, unmapped, pending, blocked).
    case notL1Accessible(gpa: UInt64)

    public var description: String {
        switch self {
        case .noSuchVCPU(let v, let n): "vCPU \(v) does not exist (the TD has \(n))"
        case .notL1Accessible(let gpa): "GPA \(hexShort(gpa)) is not private memory L1 can access"
        }
    }
}
