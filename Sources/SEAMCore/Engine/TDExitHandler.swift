import SEAMTypes

/// Answers a vCPU's TD exits the way a host VMM does: by SEAMCALLs (TDH.MEM.PAGE.AUG, …) and a TDH.VP.ENTER
/// that re-enters the vCPU, all made through `engine` so that observers see them as host steps.
public protocol TDExitHandler {
    /// Handles `exit` of `vcpu`. Returns what the first TDH.VP.ENTER that re-entered the vCPU did, or nil
    /// when the handler left the vCPU waiting for the host (then the TDCALL ends with the TD exit).
    mutating func handle<O: StepObserver>(_ exit: TDExit, vcpu: Int, engine: inout Engine<O>) -> HostEntryOutcome?
}
