import SEAMTypes

/// What a TDCALL did, beyond the registers it wrote.
public enum TDCallOutcome: Hashable, Sendable {
    /// The call completed; its status is in RAX and its outputs in the other registers.
    case completed
    /// The call caused a TD exit to the host, and the vCPU waits for the host's TDH.VP.ENTER. The exits
    /// leaves raise (EPT violations of ACCEPT, ATTR.WR/RD, TDG.VP.ENTER) are fault-like: L1's registers are
    /// untouched, its RIP is not advanced, and once the host re-enters L1 runs the TDCALL again. A
    /// TDG.VP.VMCALL is trap-like: the host's re-entry completes it. Indirect: TD exits are rare, and a 128-byte payload would make every
    /// outcome, on every hot path, that large to copy.
    indirect case tdExit(TDExit)
    /// TDG.VP.ENTER entered L2 VM `vm`: L1 waits inside its TDCALL until L2 exits to it (`Machine.l2Event`
    /// reports that exit with L1's registers).
    case enteredL2(vm: Int)
    /// An interruptible TDCALL stopped early because an interrupt was pending for L1
    /// (`Machine.l1InterruptPending`): RAX is not written and RIP is not advanced, so once L1 has taken the
    /// interrupt it executes the same TDCALL again, which continues from the progress the leaf kept — a 2M
    /// TDG.MEM.PAGE.ACCEPT's counter in the SEPT entry, TDG.VP.INVVPID's list info in RDX (the only register
    /// an interrupted call writes). Module: `interrupt_occurred` in `src/td_dispatcher/tdx_td_dispatcher.c`.
    case interrupted
}

/// The registers the host sees on a TD exit, as TDH.VP.ENTER returns them (tdx-module
/// src/td_transitions/td_exit.c async_tdexit_internal; src/td_dispatcher/vm_exits/tdg_vp_vmcall.c): RAX = status
/// with the VMX exit reason in bits 31:0, RCX = exit qualification with the VM index in bits 33:32, RDX =
/// extended exit qualification, R8 = GPA, R9 = interruption information; a TDG.VP.VMCALL exit also carries the
/// GPRs its select mask names. Every other register is 0.
public struct TDExit: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The whole host-facing register file.
    public var registers: RegisterFile

    public var rax: UInt64 {
        get { registers.rax }
        set { registers.rax = newValue }
    }
    public var rcx: UInt64 {
        get { registers.rcx }
        set { registers.rcx = newValue }
    }
    public var rdx: UInt64 {
        get { registers.rdx }
        set { registers.rdx = newValue }
    }
    public var r8: UInt64 {
        get { registers.r8 }
        set { registers.r8 = newValue }
    }
    public var r9: UInt64 {
        get { registers.r9 }
        set { registers.r9 = newValue }
    }

    public init(rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0) {
        registers = RegisterFile(rax: rax, rcx: rcx, rdx: rdx, r8: r8, r9: r9)
    }

    public init(registers: RegisterFile) { self.registers = registers }

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

    public var description: String {
        "TD exit \(exitReason) qual \(hexShort(rcx)) \(eeq) gpa \(hexShort(r8))"
    }
}

/// Why the machine refused a call: misuse that no register value can cause. The machine's entry points
/// (`tdcall`, `l2Event`, `writeMemory`, the step engine) check these rules once, in this order: the vCPU
/// exists, the TD is finalized, the vCPU is where the call needs it. Architectural failures are never
/// errors: they are statuses and TD exits.
public enum MachineError: Error, Hashable, Sendable, CustomStringConvertible {
    case noSuchVCPU(Int, count: Int)
    /// L1 or L2 code cannot run before the host's TDH.MR.FINALIZE (OP_STATE is INITIALIZED).
    case notFinalized
    /// A memory access through the host API to a GPA L1 cannot reach (shared, unmapped, pending, blocked).
    case notL1Accessible(gpa: UInt64)
    /// A host operation on its shared memory at a GPA that is not (all) shared memory it mapped, or a map
    /// or unmap range that is not whole shared 4K pages; the string says which.
    case notSharedMemory(gpa: UInt64, String)
    /// The call needs the vCPU somewhere else: an L1 TDCALL while L2 runs or the host has the vCPU (after
    /// any TD exit, fault-like ones included, only the host's TDH.VP.ENTER moves it), an L2 event while L1
    /// runs or for another VM…
    case vcpuNotThere(Int, needs: String, location: String)
    /// An L2 event the model cannot carry out as given (a register index above 15, an access size of 0 or
    /// above 8, an access that crosses a page, a step of more than one event).
    case invalidEvent(String)
    /// An L2 event source that could not give L2's next event (a script that ran out, a failed callback).
    case l2Source(String)
    /// L2 VM `vm` on `vcpu` ran `count` events in one TDCALL without exiting to L1 (`Engine.l2EventLimit`);
    /// `rip` is L2's RIP when it stopped.
    case l2EventLimit(vcpu: Int, vm: Int, rip: UInt64, count: Int)
    /// The TDX module would stop here (it executes UD2, e.g. after a VM entry that failed VMfailValid): the
    /// model cannot go on; the string says why. Nothing changed.
    case moduleStopped(String)

    public var description: String {
        switch self {
        case .noSuchVCPU(let v, let n): "vCPU \(v) does not exist (the TD has \(n))"
        case .notFinalized: "L1 and L2 cannot run before the host's TDH.MR.FINALIZE (the TD is INITIALIZED)"
        case .notL1Accessible(let gpa): "GPA \(hexShort(gpa)) is not memory L1 can access"
        case .notSharedMemory(let gpa, let why): "GPA \(hexShort(gpa)): \(why)"
        case .vcpuNotThere(let v, let needs, let location): "vCPU \(v) must be \(needs), but is \(location)"
        case .invalidEvent(let why): "invalid L2 event: \(why)"
        case .l2Source(let why): why
        case .l2EventLimit(let v, let vm, let rip, let count):
            "L2 VM \(vm) of vCPU \(v) ran \(count) L2 events in one TDG.VP.ENTER without exiting to L1 (the "
                + "limit), RIP \(hexShort(rip))"
        case .moduleStopped(let why): "the TDX module stops: \(why)"
        }
    }
}
