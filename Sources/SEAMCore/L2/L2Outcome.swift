import SEAMTypes

/// What one L2 event did.
public enum L2Outcome: Hashable, Sendable {
    /// L2 goes on running: the event completed inside L2, or the module handled it and resumed L2.
    case continued
    /// The module exited to L1 (`via`: SUCCESS, or a VM-entry failure): L1's TDG.VP.ENTER returns with these
    /// registers.
    case exitToL1(RegisterFile)
    /// The vCPU left the TD; the host must re-enter it with TDH.VP.ENTER. (Indirect, as in `TDCallOutcome`.)
    indirect case tdExit(TDExit)
}
