import SEAMTypes

extension BuiltInTDVMCallHost {
    /// The built-in host pushes an interrupt of a device of L2 VM `vm` into the shared-IRTE ring L1
    /// registered for it (TDVMCALL 0x20001, `sharedIRTEHeaders[vm − 1]`) and signals L1 of `vcpu` with the
    /// ring's vector: an `irte_push` host step through `engine` (`Engine.pushIRTE`), which names the ring's
    /// GPA itself, so a trace replays without this host's registrations. Returns nil, and runs no step, when
    /// L1 registered no ring for `vm` (or `vm` is not 1…3); else the step's outcome, a refusal included.
    /// - Throws: what `Machine.pushIRTE` throws.
    public func pushIRTE<O: StepObserver>(
        vm: Int, _ event: IRTEEvent, vcpu: Int = 0, engine: inout Engine<O>, comment: String? = nil
    ) throws(MachineError) -> StepOutcome? {
        guard (1...sharedIRTEHeaders.count).contains(vm), let ring = sharedIRTEHeaders[vm - 1] else { return nil }
        return try engine.pushIRTE(vcpu: vcpu, gpa: ring.gpa, event, comment: comment)
    }
}
