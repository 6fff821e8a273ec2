import SEAMTypes

/// Events delivered to L2 (SDM Vol. 3C chapter 30 "APIC virtualization and virtual interrupts", §27.6 "Event
/// injection"; module `src/common/helpers/helpers.c` `reinject_idt_vectoring_event_if_any`).
extension Machine {
    /// STI: L2's interrupt window opens.
    mutating func l2STI(_ i: Int, _ vm: Int) -> L2Outcome {
        let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, rflags | RFLAGS.`if`.rawValue)
        return advanceRIP(i, vm, by: 1, handled: nil)
    }

    /// IRET ending a handler.
    mutating func l2IRET(_ i: Int, _ vm: Int) -> L2Outcome {
        let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, rflags | RFLAGS.`if`.rawValue)
        return advanceRIP(i, vm, by: 1, handled: nil)
    }

    /// WRMSR 0x80B with EDX:EAX = 0.
    mutating func l2EOI(_ i: Int, _ vm: Int) -> L2Outcome {
        vcpus[i].gprs.rcx = 0x80B
        vcpus[i].gprs.rax = 0
        vcpus[i].gprs.rdx = 0
        return msrAccess(i, vm, write: true)
    }

    /// An exit during event delivery.
    mutating func l2DuringDelivery(_ i: Int, _ vm: Int, _ inner: L2Event) throws(MachineError) -> L2Outcome {
        try l2Event(vcpu: i, vm: vm, inner)
    }

    /// The module resumes L2 after an exit it handled itself, or the host re-enters L2 without RESUME_L1:
    /// the event an exit left in IDT-vectoring information is re-injected (module `src/common/helpers/helpers.c`,
    /// `reinject_idt_vectoring_event_if_any`). Called by every path that resumes L2 without L1.
    mutating func moduleResumesL2(_ i: Int, _ vm: Int) {}
}
