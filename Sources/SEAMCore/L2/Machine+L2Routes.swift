import SEAMTypes

/// The L2 exits the module looks into before deciding where they go (module
/// `src/td_dispatcher/tdx_td_l2_dispatcher.c` and `vm_exits_l2/td_l2_other_exits.c`; Specs/exit-routing.tsv).
extension Machine {
    /// EFER bits an L2 WRMSR may change without L1: SCE and LME.
    static var eferL2Writable: IA32EFER { IA32EFER.sce.union(.lme) }
    /// IA32_VMX_BASIC (0x480) … IA32_VMX_PROCBASED_CTLS3 (0x492): the VMX capability MSRs.
    static var vmxCapabilityMSRs: ClosedRange<UInt32> { 0x480...0x492 }
    /// CR0 bits an LMSW writes: PE, MP, EM and TS (the module's `CR0_L2_LMSW_MASK`).
    static var cr0LMSWBits: CR0 { CR0.pe.union(.mp).union(.em).union(.ts) }

    /// RDMSR or WRMSR of the MSR in ECX (module `src/td_dispatcher/tdx_td_l2_dispatcher.c`, the MSR case, and
    /// `src/td_dispatcher/vm_exits/td_msr_access.c`, `td_rdmsr_exit` / `td_wrmsr_exit`).
    ///
    /// First the CPU: the bitmap it uses is the TD's own OR L1's shadow (module `metadata_vp.c`), and every
    /// MSR outside the bitmap ranges exits. Without an exit the access runs natively in L2: a read of IA32_EFER
    /// gives the VMCS guest EFER, any other read 0 (SoftSEAM keeps no native MSR values), a write is dropped.
    ///
    /// Then the module: L1's shadow bit set (or outside the ranges) → L2→L1 exit. Otherwise its handlers:
    /// WRMSR IA32_XSS (#GP for a bit outside XFAM ∩ the platform's XSS components, else applied), IA32_DEBUGCTL
    /// (#GP for reserved bits, L2→L1 for TR without BTS, else written to the VMCS with bit 13 kept) and
    /// IA32_EFER (only SCE and LME may change, else L2→L1); RDMSR IA32_DEBUGCTL (the VMCS value, bit 13 read
    /// as 0) and the module-emulated values of `moduleMSRValue`; an IA32_VMX_* read → L2→L1; any other MSR
    /// goes by its spreadsheet row (`rd_wr_msr_generic_case`): #GP, or L2→L1 for #VE (and for an MSR in no
    /// row). The dispatcher injects #GP(0) (L1's exception bitmap may turn it into an L2→L1 exit), turns
    /// every other failure into an L2→L1 exit, and on success moves RIP past the instruction.
    mutating func msrAccess(_ i: Int, _ vm: Int, write: Bool) -> L2Outcome {
        let msr = UInt32(truncatingIfNeeded: vcpus[i].gprs.rcx)
        let info = L2ExitInfo(write ? .wrmsr : .rdmsr, instructionLength: 2)
        let l1Intercepts = vcpus[i].msrIntercepted(vm, msr: msr, write: write)
        guard l1Intercepts || tdInterceptsMSR(msr, write: write) else { return nativeMSRAccess(i, vm, msr, write) }
        if l1Intercepts { return exitToL1(i, vm, info) }
        let g = vcpus[i].gprs
        let value = g.rdx << 32 | g.rax & 0xFFFF_FFFF
        let reason: ExitReason = write ? .wrmsr : .rdmsr
        switch (msr, write) {
        case (0xDA0, true):  // IA32_XSS
            guard value & ~(PlatformMSRs.xssSupported & xfam) == 0 else { return msrGP(i, vm, info) }
            return advanceRIP(i, vm, by: 2, handled: reason)
        case (0x1D9, true):  // IA32_DEBUGCTL
            let new = IA32DebugCtl(value)
            guard new.isSubset(of: .defined) else { return msrGP(i, vm, info) }
            if new.contains(.tr) && !new.contains(.bts) { return exitToL1(i, vm, info) }
            let old = vcpus[i].vmcs(vm, L2VMCSRow.guestIa32Debugctl)
            let uncore = IA32DebugCtl.enableUncorePMI.rawValue
            vcpus[i].setGuestState(vm, L2VMCSRow.guestIa32Debugctl, value & ~uncore | old & uncore)
            // A BTF change under RFLAGS.TF: pending debug exceptions BS = the old BTF.
            let btf = IA32DebugCtl.btf.rawValue
            let tf = RFLAGS(vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)).contains(.tf)
            if tf && (value ^ old) & btf != 0 {
                let row = L2VMCSRow.guestPendingDebugExceptions
                let bs: UInt64 = 1 << 14
                let pde = vcpus[i].vmcs(vm, row) & ~bs | (old & btf != 0 ? bs : 0)
                vcpus[i].setGuestState(vm, row, pde)
            }
            return advanceRIP(i, vm, by: 2, handled: reason)
        case (0x1D9, false):
            let debugCtl = vcpus[i].vmcs(vm, L2VMCSRow.guestIa32Debugctl)
            return msrValue(i, vm, debugCtl & ~IA32DebugCtl.enableUncorePMI.rawValue)
        case (IA32EFER.index, true):
            let efer = vcpus[i].vmcs(vm, L2VMCSLayout.guestEFER)
            guard (value ^ efer) & ~Machine.eferL2Writable.rawValue == 0 else { return exitToL1(i, vm, info) }
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestEFER, value)
            return advanceRIP(i, vm, by: 2, handled: reason)
        default:
            if !write, let v = moduleMSRValue(msr) { return msrValue(i, vm, v) }
            if !write && Machine.vmxCapabilityMSRs.contains(msr) { return exitToL1(i, vm, info) }
            // The spreadsheet row's action: the bit is 1 here (the TD's bitmap made the access exit).
            guard let row = L1MSRRule.row(for: msr) else { return exitToL1(i, vm, info) }
            switch write ? row.write.action : row.read.action {
            case .gp: return msrGP(i, vm, info)
            case .gpOrVE where !tdHasFeature(of: msr): return msrGP(i, vm, info)
            default: return exitToL1(i, vm, info)
            }
        }
    }

    /// An MSR access the CPU carries out in L2 without an exit.
    mutating func nativeMSRAccess(_ i: Int, _ vm: Int, _ msr: UInt32, _ write: Bool) -> L2Outcome {
        if let outcome = x2APICAccess(i, vm, msr, write: write) { return outcome }
        if !write {
            let value = msr == IA32EFER.index ? vcpus[i].vmcs(vm, L2VMCSLayout.guestEFER) : 0
            vcpus[i].gprs.rax = value & 0xFFFF_FFFF
            vcpus[i].gprs.rdx = value >> 32
        }
        return advanceRIP(i, vm, by: 2, handled: nil)
    }

    /// The module completes an RDMSR with `value` in EDX:EAX.
    mutating func msrValue(_ i: Int, _ vm: Int, _ value: UInt64) -> L2Outcome {
        vcpus[i].gprs.rax = value & 0xFFFF_FFFF
        vcpus[i].gprs.rdx = value >> 32
        return advanceRIP(i, vm, by: 2, handled: .rdmsr)
    }

    /// The module injects #GP(0) for an MSR access.
    mutating func msrGP(_ i: Int, _ vm: Int, _ info: L2ExitInfo) -> L2Outcome {
        injectException(i, vm, vector: ExceptionVector.gp, errorCode: 0, cause: info)
    }

    /// TDCALL from L2 (module `tdx_td_l2_dispatcher.c`, the TDCALL case, and
    /// `src/td_dispatcher/vm_exits/tdg_vp_vmcall.c`): leaf 0 with L2_CTLS.ENABLE_TDVMCALL is a TDVMCALL to the
    /// host — L2 must be in 64-bit mode (#GP otherwise), RAX reserved bits or a version give
    /// OPERAND_INVALID(RAX) and a select mask naming RAX, RCX or RSP or bits 63:32 gives OPERAND_INVALID(RCX),
    /// both in L2's RAX without an exit. Any other TDCALL is an L2→L1 exit with reason 77.
    mutating func l2TDCall(_ i: Int, _ vm: Int) -> L2Outcome {
        let info = L2ExitInfo(.tdcall, instructionLength: 4)
        let g = vcpus[i].gprs
        guard g.rax & 0xFFFF == 0, L2Ctls(vcpus[i].l2Ctls[vm]).contains(.enableTDVMCALL) else {
            return exitToL1(i, vm, info)
        }
        guard isIn64BitMode(vcpus[i], vm) else {
            return injectException(i, vm, vector: ExceptionVector.gp, errorCode: 0, cause: info)
        }
        if g.rax & .mask(63, 16) != 0 {
            vcpus[i].gprs.rax = TDXStatus.operandInvalid.with(.rax).rawValue
            return advanceRIP(i, vm, by: 4, handled: .tdcall)
        }
        guard Machine.isValidTDVMCallSelect(g.rcx) else {
            vcpus[i].gprs.rax = TDXStatus.operandInvalid.with(.rcx).rawValue
            return advanceRIP(i, vm, by: 4, handled: .tdcall)
        }
        // Trap-like: the TDCALL is complete from L2's point of view once the host answers.
        _ = advanceRIP(i, vm, by: 4, handled: nil)  // (no resume of L2 here: the TD exit follows)
        recordExitInfo(vcpu: i, vm: vm, info)
        let exit = TDExit(registers: Machine.tdvmcallHostRegisters(g, vm: vm))
        return .tdExit(l2TDExit(vcpu: i, vm: vm, kind: .l2TDVMCall, exit, info: nil))
    }

    /// The host's registers on a TDVMCALL exit: RAX = exit reason 77, RCX = the select mask with the VM
    /// index in bits 33:32, the GPRs the mask selects, 0 in the rest (module `tdg_vp_vmcall.c`,
    /// `copy_gprs_data_from_td_to_vmm`, and `src/td_transitions/td_exit.c`).
    static func tdvmcallHostRegisters(_ g: RegisterFile, vm: Int) -> RegisterFile {
        var r = RegisterFile()
        let mask = g.rcx & 0xFFFF
        for n in 2..<16 where mask >> UInt64(n) & 1 != 0 { r[n] = g[n] }
        r.rax = UInt64(ExitReason.tdcall.rawValue)
        r.rcx = g.rcx & 0xFFFF_FFFF | UInt64(vm) << 32
        return r
    }

    /// L2 runs 64-bit code: IA-32e mode guest and CS.L.
    func isIn64BitMode(_ v: VCPU, _ vm: Int) -> Bool {
        EntryControls(v.vmcs(vm, L2VMCSLayout.entryControls)).contains(.ia32eModeGuest)
            && SegmentAccessRights(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.csAccessRights)).contains(.l)
    }

    /// MOV to CR0, CR3, CR4 or CR8 (SDM Vol. 3C §26.1.3; module `vm_exits_l2/td_l2_other_exits.c`,
    /// `td_l2_cr_access_exit`, and `src/common/helpers/helpers.c`, `write_guest_cr0` and `write_guest_cr4`).
    ///
    /// First the CPU: MOV to CR0/CR4 VM-exits only when a bit set in the VMCS guest/host mask (the base mask
    /// OR L1's) differs from the VMCS read shadow; MOV to CR3 only under CR3-load exiting and a value that is
    /// none of the CR3-target values; MOV to CR8 only under CR8-load exiting. Without an exit the instruction
    /// completes in L2 (`nativeMovToCR`).
    ///
    /// Then the module: a change to a bit L1 owns (set in L1's own mask, compared with L1's own shadow) exits
    /// to L1. Otherwise, CR0: the fixed bits (NE; bits 63:32), PE = 0 with PG = 1 and WP = 0 under CR4.CET
    /// inject #GP; NW or CD exit to L1; else the module writes CR0, keeping bits 28:19, 17 and 15:6, and
    /// leaves EFER.LMA and the IA-32e entry control alone. CR4: reserved bits and features this TD lacks inject
    /// #GP, CET without CR0.WP injects #GP, and every other MOV to CR4 exits to L1. CR3 and CR8 exit to L1.
    mutating func movToCR(_ i: Int, _ vm: Int, cr: UInt8, gpr: UInt8) -> L2Outcome {
        let value = l2GPR(i, vm, gpr)
        guard movToCRExits(i, vm, cr: cr, value: value) else { return nativeMovToCR(i, vm, cr: cr, value: value) }
        let v = vcpus[i]
        let qualification = ExitQualification.CRAccess(cr: cr, .movToCR, gpr: gpr)
        let info = L2ExitInfo(.crAccess, qualification: qualification.rawValue, instructionLength: 3)
        switch cr {
        case 0:
            if (value ^ v.l1CR0Shadow[vm]) & v.l1CR0Mask[vm] != 0 { return exitToL1(i, vm, info) }
            let new = CR0(value)
            let cr4 = CR4(v.vmcs(vm, L2VMCSLayout.guestCR4))
            let gp =
                !new.contains(.ne) || !new.isDisjoint(with: .reservedHigh) || (!new.contains(.pe) && new.contains(.pg))
                || (cr4.contains(.cet) && !new.contains(.wp))
            if gp { return injectException(i, vm, vector: ExceptionVector.gp, errorCode: 0, cause: info) }
            if !new.isDisjoint(with: CR0.nw.union(.cd)) { return exitToL1(i, vm, info) }
            let old = v.vmcs(vm, L2VMCSLayout.guestCR0)
            let ignored = CR0.ignored.rawValue
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, value & ~ignored | old & ignored)
            return advanceRIP(i, vm, by: 3, handled: .crAccess)
        case 4:
            if (value ^ v.l1CR4Shadow[vm]) & v.l1CR4Mask[vm] != 0 { return exitToL1(i, vm, info) }
            let cr0 = CR0(v.vmcs(vm, L2VMCSLayout.guestCR0))
            let gp = value & ~cr4Allowed != 0 || (CR4(value).contains(.cet) && !cr0.contains(.wp))
            if gp { return injectException(i, vm, vector: ExceptionVector.gp, errorCode: 0, cause: info) }
            return exitToL1(i, vm, info)
        default:
            return exitToL1(i, vm, info)
        }
    }

    /// Whether the CPU VM-exits on MOV to CR`cr` of `value` (SDM Vol. 3C §26.1.3).
    func movToCRExits(_ i: Int, _ vm: Int, cr: UInt8, value: UInt64) -> Bool {
        let v = vcpus[i]
        switch cr {
        case 0:
            return (value ^ v.vmcs(vm, L2VMCSLayout.cr0ReadShadow)) & v.vmcs(vm, L2VMCSLayout.cr0GuestHostMask) != 0
        case 4:
            return (value ^ v.vmcs(vm, L2VMCSLayout.cr4ReadShadow)) & v.vmcs(vm, L2VMCSLayout.cr4GuestHostMask) != 0
        case 3:
            let primary = ProcessorBasedControls(v.vmcs(vm, L2VMCSRow.primaryProcBasedControls))
            guard primary.contains(.cr3LoadExiting) else { return false }
            let count = min(Int(v.vmcs(vm, L2VMCSRow.cr3TargetCount)), 4)
            let targets = [
                L2VMCSRow.cr3TargetValue0, L2VMCSRow.cr3TargetValue1, L2VMCSRow.cr3TargetValue2,
                L2VMCSRow.cr3TargetValue3,
            ]
            return !targets.prefix(count).contains { v.vmcs(vm, $0) == value }
        default:
            return ProcessorBasedControls(v.vmcs(vm, L2VMCSRow.primaryProcBasedControls)).contains(.cr8LoadExiting)
        }
    }

    /// A MOV to CR that does not VM-exit, as the CPU carries it out in L2: CR0/CR4 take the bits outside the
    /// guest/host mask (the masked bits keep their values) after the CPU's own #GP checks (CR0: bits 63:32,
    /// NE, PG without PE, NW without CD, PG with EFER.LME but not CR4.PAE, clearing PG in 64-bit code; CR4:
    /// bits beyond the platform's CR4_FIXED1, CET without WP) — a #GP goes to L1 when the exception bitmap
    /// intercepts it, else L2 takes it; turning paging on with EFER.LME sets EFER.LMA, off clears it, and the
    /// next VM exit stores LMA in the IA-32e mode guest entry control. CR3 is loaded. CR8 writes the TPR of
    /// the virtual-APIC page (VTPR = value[3:0] << 4, offset 0x80; use TPR shadow is fixed on for L2).
    mutating func nativeMovToCR(_ i: Int, _ vm: Int, cr: UInt8, value: UInt64) -> L2Outcome {
        let v = vcpus[i]
        switch cr {
        case 0:
            let mask = v.vmcs(vm, L2VMCSLayout.cr0GuestHostMask)
            let old = CR0(v.vmcs(vm, L2VMCSLayout.guestCR0))
            let new = CR0(value & ~mask | old.rawValue & mask)
            let efer = IA32EFER(v.vmcs(vm, L2VMCSLayout.guestEFER))
            let cr4 = CR4(v.vmcs(vm, L2VMCSLayout.guestCR4))
            let pgOn = new.contains(.pg)
            let pgWasOn = old.contains(.pg)
            let gp =
                !new.isDisjoint(with: .reservedHigh) || !new.contains(.ne) || (pgOn && !new.contains(.pe))
                || (new.contains(.nw) && !new.contains(.cd))
                || (pgOn && !pgWasOn && efer.contains(.lme) && !cr4.contains(.pae))
                || (!pgOn && pgWasOn && isIn64BitMode(v, vm))
            if gp { return exception(i, vm, vector: ExceptionVector.gp, errorCode: 0) }  // the CPU's own #GP
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, new.rawValue)
            if pgOn != pgWasOn && efer.contains(.lme) {
                let entry = EntryControls(v.vmcs(vm, L2VMCSLayout.entryControls))
                let newEFER = pgOn ? efer.union(.lma) : efer.subtracting(.lma)
                let newEntry = pgOn ? entry.union(.ia32eModeGuest) : entry.subtracting(.ia32eModeGuest)
                vcpus[i].setGuestState(vm, L2VMCSLayout.guestEFER, newEFER.rawValue)
                vcpus[i].setGuestState(vm, L2VMCSLayout.entryControls, newEntry.rawValue)
            }
        case 4:
            let mask = v.vmcs(vm, L2VMCSLayout.cr4GuestHostMask)
            let new = CR4(value & ~mask | v.vmcs(vm, L2VMCSLayout.guestCR4) & mask)
            let cr0 = CR0(v.vmcs(vm, L2VMCSLayout.guestCR0))
            if !new.isSubset(of: VMEntryChecks.cr4Fixed1) || (new.contains(.cet) && !cr0.contains(.wp)) {
                return exception(i, vm, vector: ExceptionVector.gp, errorCode: 0)
            }
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR4, new.rawValue)
        case 3:
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR3, value)
        default:
            writeVTPR(i, vm, UInt8(value & 0xF) << 4)
            _ = advanceRIP(i, vm, by: 3, handled: nil)
            return tprVirtualization(i, vm)
        }
        return advanceRIP(i, vm, by: 3, handled: nil)
    }

    /// MOV from a CR (SDM Vol. 3C §26.1.3): CR0 and CR4 never exit (L2 reads the read shadow in the masked
    /// bits); CR3 and CR8 exit to L1 under CR3-store or CR8-store exiting, otherwise L2 reads CR3, or VTPR[7:4]
    /// for CR8.
    mutating func movFromCR(_ i: Int, _ vm: Int, cr: UInt8, gpr: UInt8) -> L2Outcome {
        let primary = ProcessorBasedControls(vcpus[i].vmcs(vm, L2VMCSRow.primaryProcBasedControls))
        if cr == 0 || cr == 4 {
            // Never exits: L2 reads its CR with the masked bits taken from the read shadow.
            let (crRow, maskRow, shadowRow) =
                cr == 0
                ? (L2VMCSLayout.guestCR0, L2VMCSLayout.cr0GuestHostMask, L2VMCSLayout.cr0ReadShadow)
                : (L2VMCSLayout.guestCR4, L2VMCSLayout.cr4GuestHostMask, L2VMCSLayout.cr4ReadShadow)
            let mask = vcpus[i].vmcs(vm, maskRow)
            let value = vcpus[i].vmcs(vm, crRow) & ~mask | vcpus[i].vmcs(vm, shadowRow) & mask
            setL2GPR(i, vm, gpr, value)
            return advanceRIP(i, vm, by: 3, handled: nil)
        }
        let exits = primary.contains(cr == 3 ? .cr3StoreExiting : .cr8StoreExiting)
        guard !exits else {
            let qualification = ExitQualification.CRAccess(cr: cr, .movFromCR, gpr: gpr)
            return exitToL1(i, vm, L2ExitInfo(.crAccess, qualification: qualification.rawValue, instructionLength: 3))
        }
        let value = cr == 3 ? vcpus[i].vmcs(vm, L2VMCSLayout.guestCR3) : UInt64(readVTPR(i, vm) >> 4)
        setL2GPR(i, vm, gpr, value)
        return advanceRIP(i, vm, by: 3, handled: nil)
    }

    /// CLTS (SDM Vol. 3C §26.1.3): exits (to L1: the module does not emulate it, `td_l2_cr_access_exit`)
    /// only when CR0.TS is set in both the guest/host mask and the read shadow; otherwise TS is cleared unless
    /// the mask owns it.
    mutating func clts(_ i: Int, _ vm: Int) -> L2Outcome {
        let mask = CR0(vcpus[i].vmcs(vm, L2VMCSLayout.cr0GuestHostMask))
        let shadow = CR0(vcpus[i].vmcs(vm, L2VMCSLayout.cr0ReadShadow))
        if mask.intersection(shadow).contains(.ts) {
            let qualification = ExitQualification.CRAccess(.clts)
            return exitToL1(i, vm, L2ExitInfo(.crAccess, qualification: qualification.rawValue, instructionLength: 2))
        }
        if !mask.contains(.ts) {
            let cr0 = CR0(vcpus[i].vmcs(vm, L2VMCSLayout.guestCR0))
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, cr0.subtracting(.ts).rawValue)
        }
        return advanceRIP(i, vm, by: 2, handled: nil)
    }

    /// The virtual-APIC page's TPR (offset 0x80) of VM `vm`.
    func readVTPR(_ i: Int, _ vm: Int) -> UInt8 {
        var b: UInt8 = 0
        let gpa = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) + 0x80
        space.read(gpa >> 12, offset: Int(gpa & 0xFFF), count: 1, into: &b)
        return b
    }

    mutating func writeVTPR(_ i: Int, _ vm: Int, _ value: UInt8) {
        var b = value
        let gpa = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress) + 0x80
        space.write(gpa >> 12, offset: Int(gpa & 0xFFF), count: 1, from: &b)
    }

    /// L2's general-purpose register `gpr`: RSP (4) lives in the VMCS while L2 runs, the others in the GPR
    /// image.
    func l2GPR(_ i: Int, _ vm: Int, _ gpr: UInt8) -> UInt64 {
        gpr == 4 ? vcpus[i].vmcs(vm, L2VMCSLayout.guestRSP) : vcpus[i].gprs[Int(gpr)]
    }

    mutating func setL2GPR(_ i: Int, _ vm: Int, _ gpr: UInt8, _ value: UInt64) {
        if gpr == 4 { vcpus[i].setVMCS(vm, L2VMCSLayout.guestRSP, value) } else { vcpus[i].gprs[Int(gpr)] = value }
    }

    /// A TDVMCALL GPR/XMM select mask the module accepts: it selects neither RAX, RCX nor RSP (bits 0, 1, 4)
    /// and has nothing in bits 63:32 (module `src/td_dispatcher/vm_exits/tdg_vp_vmcall.c`).
    static func isValidTDVMCallSelect(_ rcx: UInt64) -> Bool { rcx & (0b10011 | .mask(63, 32)) == 0 }

    /// CR4 bits an L2 may set without #GP: the platform's CR4_FIXED1 (`VMEntryChecks.cr4Fixed1`, 0x3FF6FFF on
    /// SoftSEAM's platform, a processor with 48-bit linear addresses, so no LA57), less the features this TD's
    /// XFAM and ATTRIBUTES leave off — PKE without XFAM.PK, CET without both XFAM.CET_U and CET_S, UINTR
    /// without XFAM.ULI, KL always, PKS without ATTRIBUTES.PKS (module `src/common/helpers/helpers.c`,
    /// `is_guest_cr4_allowed_by_td_config`).
    var cr4Allowed: UInt64 {
        var allowed = VMEntryChecks.cr4Fixed1
        let xfam = XFAM(xfam)
        if !xfam.contains(.pk) { allowed.remove(.pke) }
        if !xfam.contains(.cet) { allowed.remove(.cet) }
        if !xfam.contains(.uli) { allowed.remove(.uintr) }
        allowed.remove(.kl)
        if !TDAttributes(attributes).contains(.pks) { allowed.remove(.pks) }
        return allowed.rawValue
    }

    /// LMSW (SDM Vol. 3C §26.1.3; module `td_l2_cr_access_exit`): the CPU exits when the source would set a
    /// masked PE that the shadow has clear, or change a masked one of MP, EM, TS from the shadow; then the
    /// module exits to L1 if an L1-owned one of PE, MP, EM, TS changes and otherwise writes those four bits.
    /// Without an exit the CPU writes the unmasked ones. LMSW never clears PE.
    mutating func lmsw(_ i: Int, _ vm: Int, _ source: UInt16) -> L2Outcome {
        let v = vcpus[i]
        let value = UInt64(source)
        let mask = v.vmcs(vm, L2VMCSLayout.cr0GuestHostMask)
        let shadow = v.vmcs(vm, L2VMCSLayout.cr0ReadShadow)
        let old = v.vmcs(vm, L2VMCSLayout.guestCR0)
        let pe = CR0.pe.rawValue
        let lmswBits = Machine.cr0LMSWBits.rawValue
        let mpEMTS = lmswBits & ~pe
        let exits = mask & value & ~shadow & pe != 0 || (value ^ shadow) & mask & mpEMTS != 0
        guard exits else {
            let writable = ~mask & lmswBits
            let new = old & ~writable | value & writable & mpEMTS | (old | value & writable) & pe
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, new)
            return advanceRIP(i, vm, by: 3, handled: nil)
        }
        let qualification = ExitQualification.CRAccess(.lmsw, lmswSource: value)
        let info = L2ExitInfo(.crAccess, qualification: qualification.rawValue, instructionLength: 3)
        if (value ^ v.l1CR0Shadow[vm]) & v.l1CR0Mask[vm] & lmswBits != 0 { return exitToL1(i, vm, info) }
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, old & ~lmswBits | value & mpEMTS | (old | value) & pe)
        return advanceRIP(i, vm, by: 3, handled: .crAccess)
    }

    /// An exception the module injects into L2 (#GP from its CR checks and TDCALL mode check). If L1's
    /// exception bitmap intercepts it (for #PF, with the error-code mask and match), it becomes an L2→L1
    /// exit instead: the VMCS shows reason 0 with the vectored event, but RAX, RCX and R9[31:0] carry the
    /// original exit's values, as 1.5.01 does (module `src/td_transitions/td_exit.c`, `td_l2_to_l1_exit`, after
    /// `inject_gp` in `tdx_td_l2_dispatcher.c`). Otherwise L2 takes it: RFLAGS.RF is set and RIP does not move.
    mutating func injectException(_ i: Int, _ vm: Int, vector: UInt8, errorCode: UInt32?, cause: L2ExitInfo)
        -> L2Outcome
    {
        // An exit during event delivery: the module re-injects the IDT-vectoring event instead and drops the
        // exception (`reinject_idt_vectoring_event_if_any`, helpers.c); `l2DuringDelivery` re-injects it.
        if vectoringOverride != nil { return .moduleHandled(ExitReason(cause.reason)) }
        guard interceptsException(vcpus[i], vm, vector: vector, errorCode: errorCode ?? 0) else {
            let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, rflags | RFLAGS.rf.rawValue)
            return resumeL2(i, vm, handled: ExitReason(cause.reason))
        }
        var vectored = L2ExitInfo(.exceptionOrNMI)
        vectored.interruptionInfo = L2ExitInfo.exceptionInfo(vector: vector, hasErrorCode: errorCode != nil)
        vectored.interruptionErrorCode = errorCode ?? 0
        recordExitInfo(vcpu: i, vm: vm, vectored)
        writeBackGuestState(vcpu: i, vm: vm)
        var reported = cause
        reported.interruptionErrorCode = errorCode ?? 0
        return .exitToL1(completeL1Entry(vcpu: i, vm: vm, reported, status: .success))
    }

    /// Whether VM `vm`'s exception bitmap makes `vector` exit; a #PF exits when (error code & PFEC_MASK) =
    /// PFEC_MATCH agrees with bit 14 (SDM Vol. 3C §26.2).
    func interceptsException(_ v: VCPU, _ vm: Int, vector: UInt8, errorCode: UInt32) -> Bool {
        let bit = v.vmcs(vm, L2VMCSLayout.exceptionBitmap) >> UInt64(vector) & 1 != 0
        guard vector == ExceptionVector.pf else { return bit }
        let matches =
            UInt64(errorCode) & v.vmcs(vm, L2VMCSLayout.pageFaultErrorCodeMask)
            == v.vmcs(vm, L2VMCSLayout.pageFaultErrorCodeMatch)
        return bit == matches
    }

    /// An exception raised by L2 code: exits to L1 (reason 0, hardware-exception interruption information)
    /// when the exception bitmap intercepts it, else L2's own IDT handles it. #MC makes the TD fatal.
    mutating func exception(_ i: Int, _ vm: Int, vector: UInt8, errorCode: UInt32?) -> L2Outcome {
        if vector == ExceptionVector.mc {
            return fatalTDExit(i, vm, .nonRecoverableTDNonAccessible, reason: ExitReason.exceptionOrNMI.rawValue)
        }
        guard interceptsException(vcpus[i], vm, vector: vector, errorCode: errorCode ?? 0) else { return .continued }
        var info = L2ExitInfo(.exceptionOrNMI)
        info.interruptionInfo = L2ExitInfo.exceptionInfo(vector: vector, hasErrorCode: errorCode != nil)
        info.interruptionErrorCode = errorCode ?? 0
        return exitToL1(i, vm, info)
    }

    /// Basic exit reasons the module always turns into an L2→L1 exit (the unconditional group of
    /// `tdx_td_l2_dispatcher.c` and its HLT/INVD/I/O/MWAIT/MONITOR/WBINVD/PCONFIG group; Specs/exit-routing.tsv).
    static let l1ExitReasons: Set<ExitReason> = [
        .tripleFault, .interruptWindow, .nmiWindow, .taskSwitch, .cpuid, .getsec, .hlt, .invd, .invlpg, .rdpmc,
        .rdtsc, .rsm, .vmcall, .vmclear, .vmlaunch, .vmptrld, .vmptrst, .vmread, .vmresume, .vmwrite, .vmxoff,
        .vmxon, .drAccess, .ioInstruction, .mwait, .monitor, .pause, .tprBelowThreshold, .virtualizedEOI,
        .gdtrIdtrAccess, .ldtrTrAccess, .invept, .rdtscp, .preemptionTimer, .invvpid, .wbinvd, .xsetbv, .apicWrite,
        .rdrand, .invpcid, .vmfunc, .encls, .rdseed, .xsaves, .xrstors, .pconfig, .umwait, .tpause, .loadiwkey,
        .enclv, .sgxConflict, .enqcmdPASIDFailure, .enqcmdsPASIDFailure, .seamcall,
    ]
    /// Basic exit reasons that are an asynchronous TD exit to the host (`tdx_td_l2_dispatcher.c`): external
    /// interrupt, INIT, SMIs, EPT misconfiguration, PML full, bus lock, NOTIFICATION.
    static let hostExitReasons: Set<ExitReason> = [
        .externalInterrupt, .initSignal, .ioSMI, .otherSMI, .eptMisconfiguration, .pmlFull, .busLock, .notification,
    ]

    /// Any other VM exit given by its reason: the unconditional L2→L1 list exits to L1, the host list TD-exits,
    /// and a reason the module has no case for (MTF, …) makes the TD fatal (the `default` case of
    /// `tdx_td_l2_dispatcher.c` for a TD that is not a debug TD).
    mutating func otherExit(_ i: Int, _ vm: Int, _ reason: ExitReason, qualification: UInt64, length: UInt32)
        -> L2Outcome
    {
        let basic = reason.basic
        let info = L2ExitInfo(reason, qualification: qualification, instructionLength: length)
        if Machine.l1ExitReasons.contains(basic) { return exitToL1(i, vm, info) }
        // NOTIFICATION with "VM context invalid" makes the TD fatal (`tdx_td_l2_dispatcher.c`).
        if basic == .notification && ExitQualification.Notification(qualification).contains(.vmContextInvalid) {
            return fatalTDExit(i, vm, .nonRecoverableTD, reason: reason.rawValue)
        }
        if Machine.hostExitReasons.contains(basic) { return .tdExit(asyncTDExit(i, vm, info)) }
        return fatalTDExit(i, vm, .nonRecoverableTD, reason: reason.rawValue)
    }
}
