import SEAMTypes

extension Machine {
    /// TDH.MR.FINALIZE (17): ends the TD build; OP_STATE becomes RUNNABLE. Already finalized →
    /// OP_STATE_INCORRECT. (MRTD is not modelled yet, so nothing is measured.)
    mutating func tdhMRFinalize(_ regs: inout RegisterFile) {
        guard opState == .initialized else { return hostStatus(&regs, .opStateIncorrect) }
        opState = .runnable
        hostStatus(&regs, .success)
    }
}
