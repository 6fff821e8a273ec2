import SEAMTypes

/// What one L2 event did.
public enum L2Outcome: Hashable, Sendable {
    /// L2 goes on running: the event completed inside L2 without a VM exit (a permitted memory access, an
    /// instruction the VMCS controls let run, an exception L2's own IDT handles).
    case continued
    /// The event VM-exited and the module handled the exit itself (a CR0 write it applied, an EFER write, an
    /// exception it injected, a TDCALL it refused), then resumed L2.
    case moduleHandled(ExitReason)
    /// The module exited to L1 (`via`: SUCCESS, or a VM-entry failure): L1's TDG.VP.ENTER returns with these
    /// registers.
    case exitToL1(RegisterFile)
    /// The vCPU left the TD; the host must re-enter it with TDH.VP.ENTER. (Indirect, as in `TDCallOutcome`.)
    indirect case tdExit(TDExit)
}
