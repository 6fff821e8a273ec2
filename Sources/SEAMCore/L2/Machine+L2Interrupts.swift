import SEAMTypes

/// Events delivered to L2: what L1 injects and how the CPU and the module deliver it (SDM Vol. 3C §27.6
/// "Event injection", §26.7.5–26.7.6 interrupt- and NMI-window exiting, chapter 30 "APIC virtualization and
/// virtual interrupts"; module `src/common/helpers/helpers.c` `reinject_idt_vectoring_event_if_any`,
/// `src/td_transitions/tdg_vp_enter.c`, `src/td_transitions/tdh_vp_enter.c`).
///
///     VM entry ──▶ an event to inject? L1's VM-entry interruption information (TDG.VP.ENTER), or the
///                  IDT-vectoring event of the last exit (the module resuming L2 itself) ──▶ delivered
///              ──▶ then pending events, in priority order: NMI window (exit 8), interrupt window (exit 7),
///                  a virtual interrupt (RVI's class above the virtual PPR's) ──▶ delivered
///     L2's sti / iret / EOI / TPR write ──▶ pending events evaluated again
///
/// L2's virtual-APIC page is L1 memory (VMCS 0x2012, an L1 private GPA): VTPR at 0x80, VPPR at 0xA0, VISR at
/// 0x100 and VIRR at 0x200, eight 32-bit words each 16 bytes apart (SDM §30.1.1); RVI and SVI are the guest
/// interrupt status (VMCS 0x0810), which every TDG.VP.ENTER loads from the guest-state buffer.
///
/// L2's IDT is not walked: a delivery is taken to go through an interrupt gate (RFLAGS.IF becomes 0) and to
/// leave RIP where it was (a `jump` event stands for the handler's address). The delivery completes when L2
/// runs its next event; a `during_delivery` event instead VM-exits during it, which leaves the event in the
/// exit's IDT-vectoring information and undoes the delivery (SDM §28.2.4: the guest state is the state before
/// the event).
extension Machine {
    /// Offsets in the virtual-APIC page (SDM Vol. 3C §30.1.1).
    package enum VirtualAPICPage {
        package static let tpr = 0x80
        package static let ppr = 0xA0
        package static let isr = 0x100
        package static let irr = 0x200
    }

    // MARK: L2 events

    /// STI (and the instruction after it): RFLAGS.IF = 1, blocking by STI over; pending events are taken.
    mutating func l2STI(_ i: Int, _ vm: Int) -> L2Outcome {
        let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
        vcpus[i].setEventState(vm, L2VMCSLayout.guestRFLAGS, rflags | RFLAGS.`if`.rawValue)
        clearInterruptibility(i, vm, .blockingBySTIOrMovSS)
        _ = advanceRIP(i, vm, by: 1, handled: nil)
        return evaluatePendingEvents(i, vm) ?? .continued
    }

    /// IRET: RFLAGS.IF = 1 and virtual-NMI blocking cleared (SDM Vol. 3C §27.7.1 "virtual NMIs": IRET unblocks
    /// them). RIP is where the handler returns to, which the model does not know: it stays (a `jump` sets it).
    mutating func l2IRET(_ i: Int, _ vm: Int) -> L2Outcome {
        let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
        vcpus[i].setEventState(vm, L2VMCSLayout.guestRFLAGS, rflags | RFLAGS.`if`.rawValue)
        clearInterruptibility(i, vm, .blockingByNMI)
        return evaluatePendingEvents(i, vm) ?? .continued
    }

    /// WRMSR 0x80B with EDX:EAX = 0: the registers are loaded, then the WRMSR runs (`msrAccess`).
    mutating func l2EOI(_ i: Int, _ vm: Int) -> L2Outcome {
        vcpus[i].gprs.rcx = Machine.x2APICEOI
        vcpus[i].gprs.rax = 0
        vcpus[i].gprs.rdx = 0
        return msrAccess(i, vm, write: true)
    }

    /// `inner` VM-exits while the CPU delivers the event L2 was just given: the exit's IDT-vectoring
    /// information holds that event and the delivery is undone (its count goes back; RFLAGS and the NMI
    /// blocking stay as they were before it). An `inner` that does not VM-exit lets the delivery complete.
    mutating func l2DuringDelivery(_ i: Int, _ vm: Int, _ inner: L2Event) throws(MachineError) -> L2Outcome {
        let track = vcpus[i].deliveryTracks[vm]
        guard track.isDelivering else {
            throw .invalidEvent(
                "during_delivery: no event is being delivered to VM \(vm) (L2 ran an event since the last delivery)")
        }
        let vectoring = UInt64(track.info) | UInt64(track.errorCode) << 32
        vectoringOverride = vectoring
        defer { vectoringOverride = nil }
        let outcome = try l2EventCarriedOut(vcpu: i, vm: vm, inner)
        switch outcome {
        case .continued:
            completeDelivery(i, vm)
            return outcome
        case .moduleHandled(let reason):
            // The module handled the exit and resumes L2 itself: it re-injects the event.
            vcpus[i].deliveryTracks[vm].interrupted()
            vectoringOverride = nil
            return eventsAtEntry(i, vm, reinjecting: vectoring) ?? .moduleHandled(reason)
        case .exitToL1, .tdExit:
            vcpus[i].deliveryTracks[vm].interrupted()
            return outcome
        }
    }

    // MARK: Entry

    /// The events of a VM entry into VM `vm` once the vCPU runs it: an event to inject — when the module
    /// resumes L2 (`reinjecting`: its own exit handling, or the host's TDH.VP.ENTER without RESUME_L1), the
    /// IDT-vectoring event the exit left (bits 31:0, error code 63:32; none when its valid bit is clear);
    /// when L1 enters it (`reinjecting` nil), L1's VM-entry interruption information — is delivered, then
    /// the VMX-preemption timer armed (`preemptionTimerExit`), then pending events are evaluated. Returns the
    /// L2→L1 exit that comes before L2's first instruction (the timer's exit 52, an interrupt- or NMI-window
    /// exit, or a re-injected exception L1 intercepts), or nil when L2 runs.
    ///
    /// TDG.VP.ENTER calls it only when `entryEventsPending` says there is something to do, and otherwise only
    /// arms the timer: building and returning this optional outcome on every entry cost about 140
    /// instructions of vp_enter_cpuid_roundtrip (callgrind).
    @inline(never)
    mutating func eventsAtEntry(_ i: Int, _ vm: Int, reinjecting: UInt64?) -> L2Outcome? {
        let entryInfo = UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo))
        let vectoring = UInt32(truncatingIfNeeded: reinjecting ?? 0)
        let hasVectoring = InterruptionInfo(vectoring).isValid
        let primary = vcpus[i].vmcs(vm, L2VMCSRow.primaryProcBasedControls)
        let windows =
            ProcessorBasedControls.interruptWindowExiting.rawValue
            | ProcessorBasedControls.nmiWindowExiting.rawValue
        // The common entry: nothing to inject, no window exiting and RVI 0 (no virtual interrupt can be
        // recognised): three VMCS reads, no virtual-APIC page access.
        if !hasVectoring && !InterruptionInfo(entryInfo).isValid && primary & UInt64(windows) == 0
            && vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus) & 0xFF == 0
        {
            if reinjecting == nil { vcpus[i].deliveryTracks[vm].closeWindow(unlessInjecting: nil) }
            guard let timer = preemptionTimerExit(vcpu: i, vm: vm) else { return nil }
            return exitToL1(i, vm, timer)
        }
        if let reinjecting {
            if hasVectoring {
                let errorCode = UInt32(truncatingIfNeeded: reinjecting >> 32)
                if let exit = reinjectionIntercepted(i, vm, vectoring, errorCode) { return exit }
                deliver(i, vm, InterruptionInfo(vectoring), errorCode: errorCode, via: .reinjection)
            }
        } else {
            let info = InterruptionInfo(entryInfo)
            let errorCode =
                info.hasErrorCode
                ? UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSRow.vmEntryExceptionErrorCode)) : 0
            vcpus[i].deliveryTracks[vm].closeWindow(unlessInjecting: info.isValid ? (info, errorCode) : nil)
            if info.isValid {
                // VM entry consumed the field; the CPU clears its valid bit at the next VM exit. No one reads it
                // in between (L1 is not running), so the model clears it here.
                vcpus[i].setVMCS(vm, L2VMCSLayout.entryInterruptionInfo, UInt64(entryInfo & ~InterruptionInfo.validBit))
                deliver(i, vm, info, errorCode: errorCode, via: .entryInjection)
            }
        }
        // A timer already due exits after the injected event was delivered (SDM Vol. 3C §26.6.4) and before
        // the window exits and virtual interrupts (Machine+PreemptionTimer.swift).
        if let timer = preemptionTimerExit(vcpu: i, vm: vm) {
            if vcpus[i].deliveryTracks[vm].isDelivering { completeDelivery(i, vm) }
            return exitToL1(i, vm, timer)
        }
        return evaluatePendingEvents(i, vm, pprFirst: true)
    }

    /// Whether L1's entry into VM `vm` has event work beyond arming the timer: an event to inject, window
    /// exiting on, a non-zero RVI (a virtual interrupt may be recognised), or a delivery window to close.
    @inline(__always)
    func entryEventsPending(_ i: Int, _ vm: Int) -> Bool {
        let windows = UInt64(
            ProcessorBasedControls.interruptWindowExiting.rawValue | ProcessorBasedControls.nmiWindowExiting.rawValue)
        return vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo) & UInt64(InterruptionInfo.validBit) != 0
            || vcpus[i].vmcs(vm, L2VMCSRow.primaryProcBasedControls) & windows != 0
            || vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus) & 0xFF != 0
            || vcpus[i].deliveryTracks[vm].isWindowOpen
    }

    /// The module re-injects an exception that L1's exception bitmap intercepts as an L2→L1 exit instead
    /// (`convert_l2_voe_to_l1_exit`, helpers.c): the exit reports the original exit's reason, qualification
    /// and interruption information (the module rewrites only the VMCS fields), R9[63:32] the exit error code,
    /// and R10's valid bit clear. On the host's re-entry (`hostRouting` set by `hostResumesL2`; tdh_vp_enter.c
    /// `handle_l2_entry`) the exit is instead a host-routed one: TDX_L2_EXIT_HOST_ROUTED_ASYNC (or _TDVMCALL)
    /// with exit reason 0, qualification 0, R9 = the converted event, R13 = 0 (`set_l2_to_l1_async_exit_gprs`).
    mutating func reinjectionIntercepted(_ i: Int, _ vm: Int, _ info: UInt32, _ errorCode: UInt32) -> L2Outcome? {
        let event = InterruptionInfo(info)
        guard event.type == .hardwareException,
            interceptsException(vcpus[i], vm, vector: UInt8(event.vector), errorCode: errorCode)
        else { return nil }
        var reported = exitInfoFromVMCS(i, vm)
        reported.idtVectoringInfo &= ~InterruptionInfo.validBit
        let routing = vcpus[i].hostRouting
        if routing != .none {
            reported.reason = ExitReason.exceptionOrNMI.rawValue
            reported.qualification = 0
            reported.interruptionInfo = info
            reported.interruptionErrorCode = errorCode
            reported.eeq = 0
        }
        var vectored = L2ExitInfo(.exceptionOrNMI)
        vectored.interruptionInfo = info
        vectored.interruptionErrorCode = errorCode
        recordExitInfo(vcpu: i, vm: vm, vectored)
        writeBackGuestState(vcpu: i, vm: vm)
        let status: TDXStatus =
            routing == .none ? .success : routing == .tdvmcall ? .l2ExitHostRoutedTDVMCall : .l2ExitHostRoutedAsync
        return .exitToL1(completeL1Entry(vcpu: i, vm: vm, reported, status: status))
    }

    /// The host's TDH.VP.ENTER resumes L2 (no RESUME_L1) after a TD exit: the module re-injects the event the
    /// exit left in the VMCS's IDT-vectoring information and evaluates pending events.
    /// `routing` is how the last TD exit would be reported to L1 (module `set_l2_exit_host_routing`): it is
    /// held in `hostRouting` only while the entry's events run, for `reinjectionIntercepted`.
    mutating func hostResumesL2(_ i: Int, _ vm: Int, routing: VCPU.HostRouting) -> L2Outcome? {
        let info = vcpus[i].vmcs(vm, L2VMCSLayout.idtVectoringInfo)
        let vectoring = info & 0xFFFF_FFFF | vcpus[i].vmcs(vm, L2VMCSLayout.idtVectoringErrorCode) << 32
        if InterruptionInfo(UInt32(truncatingIfNeeded: info)).isValid {
            vcpus[i].setVMCS(vm, L2VMCSLayout.idtVectoringInfo, info & ~UInt64(InterruptionInfo.validBit))
        }
        vcpus[i].hostRouting = routing
        let outcome = eventsAtEntry(i, vm, reinjecting: vectoring)
        vcpus[i].hostRouting = .none  // an L2→L1 exit cleared it already (`completeL1Entry`)
        return outcome
    }

    // MARK: Delivery

    /// The guest takes an event: counted against the VM's tracked event (`DeliveryTrack`), reported as the
    /// step's delivery; its effects on the guest come when it completes (`completeDelivery`).
    mutating func deliver(_ i: Int, _ vm: Int, _ info: InterruptionInfo, errorCode: UInt32, via: Delivery.Via) {
        let count = vcpus[i].deliveryTracks[vm].delivered(info, errorCode: errorCode)
        lastDelivery = Delivery(vm: vm, info: info, errorCode: errorCode, via: via, count: count)
    }

    /// The delivery in progress completes: L2's handler starts with RFLAGS.IF = 0 (an interrupt gate), no
    /// blocking by STI or MOV SS, and after an NMI virtual-NMI blocking.
    mutating func completeDelivery(_ i: Int, _ vm: Int) {
        let info = InterruptionInfo(vcpus[i].deliveryTracks[vm].info)
        vcpus[i].deliveryTracks[vm].completed()
        let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
        vcpus[i].setEventState(vm, L2VMCSLayout.guestRFLAGS, rflags & ~RFLAGS.`if`.rawValue)
        let row = L2VMCSRow.guestInterruptibility
        var state = InterruptibilityState(UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, row)))
        state.subtract(.blockingBySTIOrMovSS)
        if info.type == .nmi { state.formUnion(.blockingByNMI) }
        vcpus[i].setEventState(vm, row, UInt64(state.rawValue))
    }

    /// Pending events in priority order (SDM Vol. 3C §26.7.5–26.7.6, §30.2.1): an NMI-window exit when
    /// NMI-window exiting is on and nothing blocks NMIs, an interrupt-window exit when interrupt-window
    /// exiting is on and L2 is interruptible, else with virtual-interrupt delivery a virtual interrupt when L2
    /// is interruptible and RVI's class is above VPPR's. Returns the exit, or nil (L2 goes on, perhaps having
    /// taken a virtual interrupt).
    /// With `pprFirst` (VM entry), PPR virtualization comes first when virtual-interrupt delivery is on (SDM
    /// Vol. 3C §27.3.2.5).
    mutating func evaluatePendingEvents(_ i: Int, _ vm: Int, pprFirst: Bool = false) -> L2Outcome? {
        guard !vcpus[i].deliveryTracks[vm].isDelivering else {  // the handler starts with IF = 0
            if pprFirst && hasVirtualInterruptDelivery(i, vm) { withVAPIC(i, vm) { $0.virtualizePPR() } }
            return nil
        }
        let primary = ProcessorBasedControls(vcpus[i].vmcs(vm, L2VMCSRow.primaryProcBasedControls))
        // No window exiting and RVI 0: no exit and no virtual interrupt, whatever IF and the blocking say — the
        // IRET and the EOI of a handler with nothing else pending end here (inject_deliver_eoi, callgrind).
        if !pprFirst && primary.isDisjoint(with: [.interruptWindowExiting, .nmiWindowExiting])
            && vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus) & 0xFF == 0
        {
            return nil
        }
        let state = InterruptibilityState(
            UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSRow.guestInterruptibility)))
        let shadow = !state.isDisjoint(with: .blockingBySTIOrMovSS)
        if primary.contains(.nmiWindowExiting) && !shadow && !state.contains(.blockingByNMI) {
            return exitToL1(i, vm, L2ExitInfo(.nmiWindow))
        }
        let interruptible = !shadow && RFLAGS(vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)).contains(.`if`)
        let vid = hasVirtualInterruptDelivery(i, vm)
        guard interruptible else {
            if pprFirst && vid { withVAPIC(i, vm) { $0.virtualizePPR() } }
            return nil
        }
        if primary.contains(.interruptWindowExiting) {
            if pprFirst && vid { withVAPIC(i, vm) { $0.virtualizePPR() } }
            return exitToL1(i, vm, L2ExitInfo(.interruptWindow))
        }
        // RVI 0 is never above VPPR: no virtual interrupt, and no need to read the page (PPR virtualization
        // aside) — every IRET, STI and EOI of an L2 with nothing pending would read it (inject_deliver_eoi).
        guard vid else { return nil }
        guard vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus) & 0xFF != 0 else {
            if pprFirst { withVAPIC(i, vm) { $0.virtualizePPR() } }
            return nil
        }
        let delivered: UInt8? = withVAPIC(i, vm) { apic in
            if pprFirst { apic.virtualizePPR() }
            return apic.deliver()
        }
        if let vector = delivered {
            deliver(
                i, vm, InterruptionInfo(vector: vector, type: .externalInterrupt), errorCode: 0, via: .virtualInterrupt)
        }
        return nil
    }

    func hasVirtualInterruptDelivery(_ i: Int, _ vm: Int) -> Bool {
        SecondaryControls(vcpus[i].vmcs(vm, L2VMCSLayout.secondaryControls)).contains(.virtualInterruptDelivery)
    }

    /// Runs `body` on VM `vm`'s virtual-APIC registers — VTPR, VPPR, VISR and VIRR in the page, in place
    /// (`GPASpace.withPageWriter`); RVI and SVI from the guest interrupt status, written back if they changed.
    mutating func withVAPIC<R>(_ i: Int, _ vm: Int, _ body: (inout VirtualAPIC) -> R) -> R {
        let page = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) >> 12
        let status = UInt16(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus))
        var after = status
        let result = space.withPageWriter(page) { writer in
            var apic = VirtualAPIC(page: writer, status: status)
            let r = body(&apic)
            writer = apic.page
            after = apic.status
            return r
        }
        if after != status { vcpus[i].setVMCS(vm, L2VMCSLayout.guestInterruptStatus, UInt64(after)) }
        return result
    }

    /// EOI virtualization (SDM Vol. 3C §30.1.4), trap-like after L2's WRMSR to the EOI register: VISR[SVI] = 0,
    /// SVI = the highest vector left in VISR, PPR virtualization; then a virtualized-EOI exit (45, the vector
    /// in the qualification) when the EOI-exit bitmap has the vector, else pending events are evaluated.
    mutating func eoiVirtualization(_ i: Int, _ vm: Int) -> L2Outcome {
        let vector = withVAPIC(i, vm) { $0.endOfInterrupt() }
        let bitmapRow = L2VMCSRow.eoiExitBitmap0 + Int(vector >> 6)
        if vcpus[i].vmcs(vm, bitmapRow) >> UInt64(vector & 63) & 1 != 0 {
            return exitToL1(i, vm, L2ExitInfo(.virtualizedEOI, qualification: UInt64(vector)))
        }
        return evaluatePendingEvents(i, vm) ?? .continued
    }

    /// TPR virtualization (SDM Vol. 3C §30.1.2) after L2 wrote VTPR (MOV to CR8, WRMSR 0x808): without
    /// virtual-interrupt delivery a TPR-below-threshold exit (43) when VTPR[7:4] < TPR threshold[3:0]; with it,
    /// PPR virtualization and pending events.
    mutating func tprVirtualization(_ i: Int, _ vm: Int) -> L2Outcome {
        guard hasVirtualInterruptDelivery(i, vm) else {
            let threshold = vcpus[i].vmcs(vm, L2VMCSRow.tprThreshold) & 0xF
            let vtpr = withVAPIC(i, vm) { $0.tpr }
            return UInt64(vtpr >> 4) < threshold ? exitToL1(i, vm, L2ExitInfo(.tprBelowThreshold)) : .continued
        }
        withVAPIC(i, vm) { $0.virtualizePPR() }
        return evaluatePendingEvents(i, vm) ?? .continued
    }

    /// Self-IPI virtualization (SDM Vol. 3C §30.1.5) after L2's WRMSR to SELF_IPI with virtual-interrupt
    /// delivery: VIRR[V] = 1, RVI = max(RVI, V), pending events evaluated.
    mutating func selfIPIVirtualization(_ i: Int, _ vm: Int, vector: UInt8) -> L2Outcome {
        withVAPIC(i, vm) { apic in
            apic.setBit(VirtualAPICPage.irr, vector, true)
            if vector > apic.rvi { apic.rvi = vector }
        }
        return evaluatePendingEvents(i, vm) ?? .continued
    }

    /// The x2APIC MSRs L2 reaches when neither L1's MSR bitmap nor the TD's intercepts them, with
    /// "virtualize x2APIC mode" and APIC-register virtualization on (fixed for L2; SDM Vol. 3C §30.5): reads
    /// come from the virtual-APIC page (offset = (MSR & 0xFF) << 4); writes of TPR, EOI and SELF IPI are
    /// virtualized (a value with reserved bits set is a #GP); other writes reach no model state. Returns nil
    /// for an MSR outside 0x800…0x8FF.
    mutating func x2APICAccess(_ i: Int, _ vm: Int, _ msr: UInt32, write: Bool) -> L2Outcome? {
        guard msr >> 8 == 0x8 else { return nil }
        let offset = Int(msr & 0xFF) << 4
        let g = vcpus[i].gprs
        guard write else {
            var low: UInt32 = 0
            var high: UInt32 = 0
            let gpa = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) + UInt64(offset)
            space.read(gpa >> 12, offset: Int(gpa & 0xFFF), count: 4, into: &low)
            if msr == 0x830 {  // ICR: 64 bits, the high half at offset 0x310
                space.read((gpa + 0x10) >> 12, offset: Int((gpa + 0x10) & 0xFFF), count: 4, into: &high)
            }
            vcpus[i].gprs.rax = UInt64(low)
            vcpus[i].gprs.rdx = UInt64(high)
            return advanceRIP(i, vm, by: 2, handled: nil)
        }
        let value = g.rdx << 32 | g.rax & 0xFFFF_FFFF
        let vid = SecondaryControls(vcpus[i].vmcs(vm, L2VMCSLayout.secondaryControls))
            .contains(.virtualInterruptDelivery)
        switch msr {
        case 0x808:  // TPR
            guard value >> 8 == 0 else { return exception(i, vm, vector: ExceptionVector.gp, errorCode: 0) }
            withVAPIC(i, vm) { $0.tpr = UInt8(value) }
            _ = advanceRIP(i, vm, by: 2, handled: nil)
            return tprVirtualization(i, vm)
        case UInt32(Machine.x2APICEOI) where vid:
            guard value == 0 else { return exception(i, vm, vector: ExceptionVector.gp, errorCode: 0) }
            _ = advanceRIP(i, vm, by: 2, handled: nil)
            return eoiVirtualization(i, vm)
        case 0x83F where vid:  // SELF IPI
            guard value >> 8 == 0 else { return exception(i, vm, vector: ExceptionVector.gp, errorCode: 0) }
            _ = advanceRIP(i, vm, by: 2, handled: nil)
            return selfIPIVirtualization(i, vm, vector: UInt8(value))
        default:
            return advanceRIP(i, vm, by: 2, handled: nil)
        }
    }

    /// The x2APIC EOI MSR.
    static let x2APICEOI: UInt64 = 0x80B

    // MARK: Virtual-APIC page

    mutating func clearInterruptibility(_ i: Int, _ vm: Int, _ bits: InterruptibilityState) {
        let row = L2VMCSRow.guestInterruptibility
        let state = InterruptibilityState(UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, row)))
        if !state.isDisjoint(with: bits) { vcpus[i].setEventState(vm, row, UInt64(state.subtracting(bits).rawValue)) }
    }

    // MARK: Diagnostics

    /// A vector stranded in VM `vm`'s virtual IRR: the highest one set above RVI, which virtual-interrupt
    /// delivery never picks (it delivers RVI and recomputes RVI only from a delivery or a posted interrupt),
    /// so it is lost until L1 raises RVI again — e.g. after L1 entered with RVI 0 while a vector was pending.
    /// Nil when there is none, or the VM has no virtual-APIC page yet.
    public func strandedVector(vcpu i: Int, vm: Int) -> UInt8? {
        guard i >= 0, i < vcpus.count, vm >= 1, vm <= numL2VMs,
            vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) != Machine.nullPA
        else { return nil }
        let page = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) >> 12
        let rvi = UInt8(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus))
        let high = space.withPageBytes(page) { p in p.flatMap { VirtualAPIC.highest($0, VirtualAPICPage.irr) } }
        guard let high else { return nil }
        return high > rvi ? high : nil
    }
}

// MARK: VM-entry interruption information

extension Machine {
    /// What is wrong with VM `vm`'s VM-entry interruption information as a VM-entry control (SDM Vol. 3C
    /// §27.2.1.3, "Checks on VM-entry control fields", event injection), or nil when it is valid or injects
    /// nothing: interruption type 1 is reserved; an NMI (type 2) has vector 2, a hardware exception (3) a
    /// vector of 0…31 and an "other event" (7) vector 0; bits 30:12 are reserved; the deliver-error-code bit
    /// is set exactly for a hardware exception with vector 8, 10–14, 17 or 21 in protected mode (CR0.PE = 1 or
    /// unrestricted guest off); with it, error-code bits 31:16 are 0; a software event (types 4–6) has an
    /// instruction length of 0…15 (0 allowed: IA32_VMX_MISC bit 30, `VirtualVMXMSRs`).
    func entryInjectionControlProblem(vcpu i: Int, vm: Int) -> String? {
        let v = vcpus[i]
        let info = InterruptionInfo(UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.entryInterruptionInfo)))
        guard info.isValid else { return nil }
        let vector = info.vector
        switch info.type.rawValue {
        case 1: return "interruption type 1 is reserved"
        case 2 where vector != 2: return "an NMI (type 2) must have vector 2, not \(vector)"
        case 3 where vector > 31: return "a hardware exception (type 3) must have a vector of 0…31, not \(vector)"
        case 7 where vector != 0: return "an other event (type 7) must have vector 0, not \(vector)"
        default: break
        }
        guard info.rawValue & 0x7FFF_F000 == 0 else { return "bits 30:12 are reserved" }
        let protected =
            CR0(v.vmcs(vm, L2VMCSLayout.guestCR0)).contains(.pe)
            || !SecondaryControls(v.vmcs(vm, L2VMCSLayout.secondaryControls)).contains(.unrestrictedGuest)
        let pushes = info.type == .hardwareException && protected && [8, 10, 11, 12, 13, 14, 17, 21].contains(vector)
        if info.hasErrorCode != pushes {
            return pushes
                ? "vector \(vector) pushes an error code here: the deliver-error-code bit (11) must be 1"
                : "the deliver-error-code bit (11) must be 0 for this event"
        }
        if info.hasErrorCode && v.vmcs(vm, L2VMCSRow.vmEntryExceptionErrorCode) >> 16 != 0 {
            return "error-code bits 31:16 must be 0"
        }
        if (4...6).contains(info.type.rawValue) && v.vmcs(vm, L2VMCSRow.vmEntryInstructionLength) > 15 {
            return "a software event's instruction length must be 0…15"
        }
        return nil
    }

    /// TDG.VP.ENTER's VM entry with a valid VM-entry interruption information that is invalid as a control:
    /// when the entry would reach VMLAUNCH/VMRESUME (the guest-state buffer at `buffer` and the virtual-APIC
    /// page at `vapic` translate — a cached buffer translation holds only for the GPA it was made for), the
    /// instruction fails VMfailValid and the module stops (`tdx_td_transitions.S`: UD2 after a failed VM
    /// entry): `MachineError.moduleStopped`, nothing changed. The module itself never checks the field
    /// (TDG.VP.WR takes any value its write mask allows).
    func checkEntryInjection(vcpu i: Int, vm: Int, buffer: UInt64, vapic: UInt64) throws(MachineError) {
        let cache = vcpus[i].translationsCached
        let bufferCached = cache & 1 << UInt8(vm) != 0 && vcpus[i].guestStateGPA[vm] == buffer
        guard let problem = entryInjectionControlProblem(vcpu: i, vm: vm),
            bufferCached || translates(buffer), cache & 1 << UInt8(vm + 4) != 0 || translates(vapic)
        else { return }
        let info = vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo)
        throw .moduleStopped(
            "TDG.VP.ENTER of VM \(vm): VM entry fails with VMfailValid, VM-instruction error 7 (invalid control "
                + "field): VM-entry interruption information \(hexShort(info)): \(problem) (SDM Vol. 3C "
                + "§27.2.1.3); the TDX module executes UD2 after a failed VM entry "
                + "(src/td_dispatcher/tdx_td_transitions.S) and nothing runs after it")
    }
}

/// VM `vm`'s virtual-APIC registers as one operation sees them: the page in place (VTPR 0x80, VPPR 0xA0, VISR
/// 0x100, VIRR 0x200; SDM Vol. 3C §30.1.1), stores through `PageWriter`, and the guest interrupt status (RVI
/// low byte, SVI high).
struct VirtualAPIC {
    var page: PageWriter
    var status: UInt16

    var rvi: UInt8 {
        get { UInt8(truncatingIfNeeded: status) }
        set { status = status & 0xFF00 | UInt16(newValue) }
    }
    var svi: UInt8 {
        get { UInt8(truncatingIfNeeded: status >> 8) }
        set { status = status & 0xFF | UInt16(newValue) << 8 }
    }

    var tpr: UInt8 {
        get { page.byte(Machine.VirtualAPICPage.tpr) }
        set { page.setByte(Machine.VirtualAPICPage.tpr, newValue) }
    }
    var ppr: UInt8 {
        get { page.byte(Machine.VirtualAPICPage.ppr) }
        set { page.setByte(Machine.VirtualAPICPage.ppr, newValue) }
    }

    /// Bit `vector` of the 256-bit register at `base`: word vector / 32 at base + 16·word.
    mutating func setBit(_ base: Int, _ vector: UInt8, _ on: Bool) {
        let offset = base + Int(vector >> 5) * 16 + Int(vector & 31) / 8
        let m: UInt8 = 1 << (vector & 7)
        let b = page.byte(offset)
        page.setByte(offset, on ? b | m : b & ~m)
    }

    /// The highest vector set in the 256-bit register at `base`, or nil.
    func highest(_ base: Int) -> UInt8? { VirtualAPIC.highest(UnsafeRawPointer(page.bytes), base) }

    /// The highest vector set in the 256-bit register at `base` of the virtual-APIC page at `page`, or nil.
    /// A plain countdown: the `stride` loop cost about 17 instructions a word, and a delivery and an EOI each
    /// scan all eight words of a register left empty (inject_deliver_eoi, callgrind).
    static func highest(_ page: UnsafeRawPointer, _ base: Int) -> UInt8? {
        var word = 7
        while word >= 0 {
            let v = page.loadUnaligned(fromByteOffset: base &+ word &* 16, as: UInt32.self)
            if v != 0 { return UInt8(truncatingIfNeeded: word &* 32 &+ 31 &- v.leadingZeroBitCount) }
            word &-= 1
        }
        return nil
    }

    /// PPR virtualization (SDM Vol. 3C §30.1.3): VPPR = VTPR when VTPR[7:4] ≥ SVI[7:4], else SVI & 0xF0.
    mutating func virtualizePPR() {
        ppr = tpr >> 4 >= svi >> 4 ? tpr : svi & 0xF0
    }

    /// Virtual-interrupt delivery (SDM Vol. 3C §30.2.2) when RVI's class is above VPPR's: VISR[RVI] = 1, SVI =
    /// RVI, VPPR = RVI & 0xF0, VIRR[RVI] = 0, RVI = the highest vector left in VIRR (0 if none). Returns the
    /// vector delivered, or nil.
    mutating func deliver() -> UInt8? {
        let vector = rvi
        guard vector >> 4 > ppr >> 4 else { return nil }
        setBit(Machine.VirtualAPICPage.isr, vector, true)
        setBit(Machine.VirtualAPICPage.irr, vector, false)
        svi = vector
        ppr = vector & 0xF0
        rvi = highest(Machine.VirtualAPICPage.irr) ?? 0
        return vector
    }

    /// EOI virtualization's register part (SDM Vol. 3C §30.1.4): VISR[SVI] = 0, SVI = the highest vector left
    /// in VISR, PPR virtualization. Returns the vector ended.
    mutating func endOfInterrupt() -> UInt8 {
        let vector = svi
        setBit(Machine.VirtualAPICPage.isr, vector, false)
        svi = highest(Machine.VirtualAPICPage.isr) ?? 0
        virtualizePPR()
        return vector
    }
}
