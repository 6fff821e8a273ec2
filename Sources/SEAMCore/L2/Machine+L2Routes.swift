import SEAMTypes

/// The L2 exits the module looks into before deciding where they go (reference §5.1, §7, §13 A3, B7, B19).
extension Machine {
    static let msrEFER: UInt32 = 0xC000_0080
    /// EFER bits an L2 WRMSR may change without L1: SCE and LME.
    static let eferL2Writable: UInt64 = 0x101
    /// CR0 bits 28:19, 17 and 15:6: a MOV to CR0 leaves them as they were.
    static let cr0IgnoredBits: UInt64 = 0x1FFA_FFC0

    /// RDMSR or WRMSR of the MSR in ECX: L1's bitmap (or an MSR outside the bitmap ranges) → L2→L1 exit;
    /// a read of an IA32_VMX_* MSR → L2→L1 exit; a WRMSR of EFER that changes only SCE and LME is applied by
    /// the module, any other EFER change exits to L1 (§13 B19). Other MSRs L1 does not intercept run
    /// natively in L2: SoftSEAM keeps no MSR values, so RDMSR returns 0 and WRMSR is dropped (README, "Not
    /// modelled").
    mutating func msrAccess(_ i: Int, _ vm: Int, write: Bool) -> L2Outcome {
        let msr = UInt32(truncatingIfNeeded: vcpus[i].gprs.rcx)
        let info = L2ExitInfo(write ? .wrmsr : .rdmsr, instructionLength: 2)
        if vcpus[i].msrIntercepted(vm, msr: msr, write: write) { return exitToL1(i, vm, info) }
        if !write && (0x480...0x492).contains(msr) { return exitToL1(i, vm, info) }
        let g = vcpus[i].gprs
        var handled: ExitReason?
        if msr == Machine.msrEFER {
            let efer = vcpus[i].vmcs(vm, L2VMCSLayout.guestEFER)
            if write {
                let new = g.rdx << 32 | g.rax & 0xFFFF_FFFF
                guard (new ^ efer) & ~Machine.eferL2Writable == 0 else { return exitToL1(i, vm, info) }
                vcpus[i].setGuestState(vm, L2VMCSLayout.guestEFER, new)
                handled = .wrmsr  // the TD's own bitmap intercepts EFER writes; the module applies them
            } else {
                vcpus[i].gprs.rax = efer & 0xFFFF_FFFF
                vcpus[i].gprs.rdx = efer >> 32
            }
        } else if !write {
            vcpus[i].gprs.rax = 0
            vcpus[i].gprs.rdx = 0
        }
        return advanceRIP(i, vm, by: 2, handled: handled)
    }

    /// TDCALL from L2 (§5.1, §13 O10): leaf 0 with L2_CTLS.ENABLE_TDVMCALL is a TDVMCALL to the host — L2
    /// must be in 64-bit mode (#GP otherwise), RAX reserved bits or a version give OPERAND_INVALID(RAX) and
    /// a select mask naming RAX, RCX or RSP or bits 63:32 gives OPERAND_INVALID(RCX), both in L2's RAX without
    /// an exit. Any other TDCALL is an L2→L1 exit with reason 77.
    mutating func l2TDCall(_ i: Int, _ vm: Int) -> L2Outcome {
        let info = L2ExitInfo(.tdcall, instructionLength: 4)
        let g = vcpus[i].gprs
        guard g.rax & 0xFFFF == 0, vcpus[i].l2Ctls[vm] & 2 != 0 else { return exitToL1(i, vm, info) }
        guard isIn64BitMode(vcpus[i], vm) else { return injectException(i, vm, vector: 13, errorCode: 0, cause: info) }
        if g.rax & .mask(63, 16) != 0 {
            vcpus[i].gprs.rax = TDXStatus.operandInvalid.with(.rax).rawValue
            return advanceRIP(i, vm, by: 4, handled: .tdcall)
        }
        guard Machine.isValidTDVMCallSelect(g.rcx) else {
            vcpus[i].gprs.rax = TDXStatus.operandInvalid.with(.rcx).rawValue
            return advanceRIP(i, vm, by: 4, handled: .tdcall)
        }
        // Trap-like: the TDCALL is complete from L2's point of view once the host answers.
        _ = advanceRIP(i, vm, by: 4, handled: .tdcall)
        recordExitInfo(vcpu: i, vm: vm, info)
        let exit = TDExit(registers: Machine.tdvmcallHostRegisters(g, vm: vm))
        return .tdExit(l2TDExit(vcpu: i, vm: vm, kind: .l2TDVMCall, exit, info: nil))
    }

    /// The host's registers on a TDVMCALL exit: RAX = exit reason 77, RCX = the select mask with the VM
    /// index in bits 33:32, the GPRs the mask selects, 0 in the rest (reference §1.3, §13 O10).
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
        v.vmcs(vm, L2VMCSLayout.entryControls) & 0x200 != 0 && v.vmcs(vm, L2VMCSLayout.csAccessRights) & 1 << 13 != 0
    }

    /// MOV to CR0, CR3, CR4 or CR8 (SDM 3C 26.1.3; reference §5.1, §13 A3, O8).
    ///
    /// First the CPU: MOV to CR0/CR4 VM-exits only when a bit set in the VMCS guest/host mask (the base mask
    /// OR L1's) differs from the VMCS read shadow; MOV to CR3 only under CR3-load exiting (primary control
    /// bit 15) and a value that is none of the CR3-target values; MOV to CR8 only under CR8-load exiting (bit
    /// 19). Without an exit the instruction completes in L2 (`nativeMovToCR`).
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
        let info = L2ExitInfo(.crAccess, qualification: UInt64(cr & 0xF) | UInt64(gpr) << 8, instructionLength: 3)
        switch cr {
        case 0:
            if (value ^ v.l1CR0Shadow[vm]) & v.l1CR0Mask[vm] != 0 { return exitToL1(i, vm, info) }
            let cr4 = v.vmcs(vm, L2VMCSLayout.guestCR4)
            let gp =
                value & 0x20 == 0 || value >> 32 != 0 || (value & 1 == 0 && value >> 31 & 1 != 0)
                || (cr4 >> 23 & 1 != 0 && value >> 16 & 1 == 0)
            if gp { return injectException(i, vm, vector: 13, errorCode: 0, cause: info) }
            if value & (1 << 29 | 1 << 30) != 0 { return exitToL1(i, vm, info) }
            let old = v.vmcs(vm, L2VMCSLayout.guestCR0)
            vcpus[i].setGuestState(
                vm, L2VMCSLayout.guestCR0, value & ~Machine.cr0IgnoredBits | old & Machine.cr0IgnoredBits)
            return advanceRIP(i, vm, by: 3, handled: .crAccess)
        case 4:
            if (value ^ v.l1CR4Shadow[vm]) & v.l1CR4Mask[vm] != 0 { return exitToL1(i, vm, info) }
            let cr0 = v.vmcs(vm, L2VMCSLayout.guestCR0)
            let gp = value & ~cr4Allowed != 0 || (value >> 23 & 1 != 0 && cr0 >> 16 & 1 == 0)
            if gp { return injectException(i, vm, vector: 13, errorCode: 0, cause: info) }
            return exitToL1(i, vm, info)
        default:
            return exitToL1(i, vm, info)
        }
    }

    /// Whether the CPU VM-exits on MOV to CR`cr` of `value` (SDM 3C 26.1.3).
    func movToCRExits(_ i: Int, _ vm: Int, cr: UInt8, value: UInt64) -> Bool {
        let v = vcpus[i]
        switch cr {
        case 0:
            return (value ^ v.vmcs(vm, L2VMCSLayout.cr0ReadShadow)) & v.vmcs(vm, L2VMCSLayout.cr0GuestHostMask) != 0
        case 4:
            return (value ^ v.vmcs(vm, L2VMCSLayout.cr4ReadShadow)) & v.vmcs(vm, L2VMCSLayout.cr4GuestHostMask) != 0
        case 3:
            guard v.vmcs(vm, L2VMCSRow.primaryProcBasedControls) >> 15 & 1 != 0 else { return false }
            let count = min(Int(v.vmcs(vm, L2VMCSRow.cr3TargetCount)), 4)
            let targets = [
                L2VMCSRow.cr3TargetValue0, L2VMCSRow.cr3TargetValue1, L2VMCSRow.cr3TargetValue2,
                L2VMCSRow.cr3TargetValue3,
            ]
            return !targets.prefix(count).contains { v.vmcs(vm, $0) == value }
        default:
            return v.vmcs(vm, L2VMCSRow.primaryProcBasedControls) >> 19 & 1 != 0
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
            let old = v.vmcs(vm, L2VMCSLayout.guestCR0)
            let new = value & ~mask | old & mask
            let efer = v.vmcs(vm, L2VMCSLayout.guestEFER)
            let cr4 = v.vmcs(vm, L2VMCSLayout.guestCR4)
            let pgOn = new >> 31 & 1 != 0
            let gp =
                new >> 32 != 0 || new & 0x20 == 0 || (pgOn && new & 1 == 0)
                || (new >> 29 & 1 != 0 && new >> 30 & 1 == 0)
                || (pgOn && old >> 31 & 1 == 0 && efer >> 8 & 1 != 0 && cr4 >> 5 & 1 == 0)
                || (!pgOn && old >> 31 & 1 != 0 && isIn64BitMode(v, vm))
            if gp { return exception(i, vm, vector: 13, errorCode: 0) }  // the CPU's own #GP
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, new)
            if pgOn != (old >> 31 & 1 != 0) && efer >> 8 & 1 != 0 {
                let entry = v.vmcs(vm, L2VMCSLayout.entryControls)
                vcpus[i].setGuestState(vm, L2VMCSLayout.guestEFER, pgOn ? efer | 1 << 10 : efer & ~(1 << 10))
                vcpus[i].setGuestState(vm, L2VMCSLayout.entryControls, pgOn ? entry | 0x200 : entry & ~0x200)
            }
        case 4:
            let mask = v.vmcs(vm, L2VMCSLayout.cr4GuestHostMask)
            let new = value & ~mask | v.vmcs(vm, L2VMCSLayout.guestCR4) & mask
            let cr0 = v.vmcs(vm, L2VMCSLayout.guestCR0)
            if new & ~VMEntryChecks.cr4Fixed1 != 0 || (new >> 23 & 1 != 0 && cr0 >> 16 & 1 == 0) {
                return exception(i, vm, vector: 13, errorCode: 0)
            }
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR4, new)
        case 3:
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR3, value)
        default:
            writeVTPR(i, vm, UInt8(value & 0xF) << 4)
        }
        return advanceRIP(i, vm, by: 3, handled: nil)
    }

    /// MOV from a CR (SDM 3C 26.1.3): CR0 and CR4 never exit (L2 reads the read shadow in the masked bits);
    /// CR3 and CR8 exit to L1 under CR3-store (primary bit 16) or CR8-store (bit 20) exiting, otherwise L2
    /// reads CR3, or VTPR[7:4] for CR8.
    mutating func movFromCR(_ i: Int, _ vm: Int, cr: UInt8, gpr: UInt8) -> L2Outcome {
        let primary = vcpus[i].vmcs(vm, L2VMCSRow.primaryProcBasedControls)
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
        let exits = cr == 3 ? primary >> 16 & 1 != 0 : primary >> 20 & 1 != 0
        guard !exits else {
            let qualification = UInt64(cr & 0xF) | 1 << 4 | UInt64(gpr) << 8
            return exitToL1(i, vm, L2ExitInfo(.crAccess, qualification: qualification, instructionLength: 3))
        }
        let value = cr == 3 ? vcpus[i].vmcs(vm, L2VMCSLayout.guestCR3) : UInt64(readVTPR(i, vm) >> 4)
        setL2GPR(i, vm, gpr, value)
        return advanceRIP(i, vm, by: 3, handled: nil)
    }

    /// CLTS (SDM 3C 26.1.3): exits (to L1: the module does not emulate it) only when CR0.TS is set in both
    /// the guest/host mask and the read shadow; otherwise TS is cleared unless the mask owns it.
    mutating func clts(_ i: Int, _ vm: Int) -> L2Outcome {
        let mask = vcpus[i].vmcs(vm, L2VMCSLayout.cr0GuestHostMask)
        let shadow = vcpus[i].vmcs(vm, L2VMCSLayout.cr0ReadShadow)
        if mask & shadow & 8 != 0 {
            return exitToL1(i, vm, L2ExitInfo(.crAccess, qualification: 2 << 4, instructionLength: 2))
        }
        if mask & 8 == 0 {
            let cr0 = vcpus[i].vmcs(vm, L2VMCSLayout.guestCR0)
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, cr0 & ~8)
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
    /// and has nothing in bits 63:32 (reference §13 O10).
    static func isValidTDVMCallSelect(_ rcx: UInt64) -> Bool { rcx & (0b10011 | .mask(63, 32)) == 0 }

    /// CR4 bits an L2 may set without #GP: the platform's CR4_FIXED1 (bits 25:0 but 15 and 12:11… as
    /// SoftSEAM's platform reports them: `VMEntryChecks.cr4Fixed1`, 0x3FF6FFF, a processor with 48-bit linear
    /// addresses, so no LA57), less the features this TD's XFAM and ATTRIBUTES leave
    /// off — PKE without XFAM.PK (bit 9), CET without both XFAM.CET_U and CET_S (bits 11, 12), UINTR without
    /// XFAM.ULI (bit 14), KeyLocker always, PKS without ATTRIBUTES.PKS (bit 30) (§13 A3, B18).
    var cr4Allowed: UInt64 {
        var allowed: UInt64 = VMEntryChecks.cr4Fixed1
        if xfam >> 9 & 1 == 0 { allowed &= ~(1 << 22) }
        if xfam >> 11 & 3 != 3 { allowed &= ~(1 << 23) }
        if xfam >> 14 & 1 == 0 { allowed &= ~(1 << 25) }
        allowed &= ~(1 << 19)
        if attributes >> 30 & 1 == 0 { allowed &= ~(1 << 24) }
        return allowed
    }

    /// LMSW (SDM 3C 26.1.3; reference §5.1): the CPU exits when the source would set a masked PE that the
    /// shadow has clear, or change a masked bit among 3:1 from the shadow; then the module exits to L1 if an
    /// L1-owned bit among 3:0 changes and otherwise writes bits 3:0. Without an exit the CPU writes the
    /// unmasked bits 3:0. LMSW never clears PE.
    mutating func lmsw(_ i: Int, _ vm: Int, _ source: UInt16) -> L2Outcome {
        let v = vcpus[i]
        let value = UInt64(source)
        let mask = v.vmcs(vm, L2VMCSLayout.cr0GuestHostMask)
        let shadow = v.vmcs(vm, L2VMCSLayout.cr0ReadShadow)
        let old = v.vmcs(vm, L2VMCSLayout.guestCR0)
        let exits = mask & value & ~shadow & 1 != 0 || (value ^ shadow) & mask & 0xE != 0
        guard exits else {
            let writable = ~mask & 0xF
            let new = old & ~writable | value & writable & 0xE | (old | value & writable) & 1
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, new)
            return advanceRIP(i, vm, by: 3, handled: nil)
        }
        let info = L2ExitInfo(.crAccess, qualification: 3 << 4 | value << 16, instructionLength: 3)
        if (value ^ v.l1CR0Shadow[vm]) & v.l1CR0Mask[vm] & 0xF != 0 { return exitToL1(i, vm, info) }
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestCR0, old & ~0xF | value & 0xE | (old | value) & 1)
        return advanceRIP(i, vm, by: 3, handled: .crAccess)
    }

    /// An exception the module injects into L2 (#GP from its CR checks and TDCALL mode check). If L1's
    /// exception bitmap intercepts it (for #PF, with the error-code mask and match), it becomes an L2→L1
    /// exit instead: the VMCS shows reason 0 with the vectored event, but RAX, RCX and R9[31:0] carry the
    /// original exit's values, as 1.5.01 does (§13 B7). Otherwise L2 takes it: RFLAGS.RF is set and RIP does
    /// not move.
    mutating func injectException(_ i: Int, _ vm: Int, vector: UInt8, errorCode: UInt32?, cause: L2ExitInfo)
        -> L2Outcome
    {
        guard interceptsException(vcpus[i], vm, vector: vector, errorCode: errorCode ?? 0) else {
            let rflags = vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS)
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, rflags | 1 << 16)
            return .moduleHandled(ExitReason(cause.reason))
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
    /// PFEC_MATCH agrees with bit 14 (SDM 3C 26.2).
    func interceptsException(_ v: VCPU, _ vm: Int, vector: UInt8, errorCode: UInt32) -> Bool {
        let bit = v.vmcs(vm, L2VMCSLayout.exceptionBitmap) >> UInt64(vector) & 1 != 0
        guard vector == 14 else { return bit }
        let matches =
            UInt64(errorCode) & v.vmcs(vm, L2VMCSLayout.pageFaultErrorCodeMask)
            == v.vmcs(vm, L2VMCSLayout.pageFaultErrorCodeMatch)
        return bit == matches
    }

    /// An exception raised by L2 code: exits to L1 (reason 0, hardware-exception interruption information)
    /// when the exception bitmap intercepts it, else L2's own IDT handles it. #MC makes the TD fatal.
    mutating func exception(_ i: Int, _ vm: Int, vector: UInt8, errorCode: UInt32?) -> L2Outcome {
        if vector == 18 { return fatalTDExit(i, vm, .nonRecoverableTDNonAccessible, reason: 0) }
        guard interceptsException(vcpus[i], vm, vector: vector, errorCode: errorCode ?? 0) else { return .continued }
        var info = L2ExitInfo(.exceptionOrNMI)
        info.interruptionInfo = L2ExitInfo.exceptionInfo(vector: vector, hasErrorCode: errorCode != nil)
        info.interruptionErrorCode = errorCode ?? 0
        return exitToL1(i, vm, info)
    }

    /// Basic exit reasons the module always turns into an L2→L1 exit (§5.1, "Unconditional" and the
    /// HLT/INVD/I/O/MWAIT/MONITOR/WBINVD/PCONFIG group).
    static let l1ExitReasons: Set<UInt32> = [
        2, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 29, 30, 36, 39, 40, 43,
        45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 63, 64, 65, 67, 68, 69, 70, 71, 72, 73, 76,
    ]
    /// Basic exit reasons that are an asynchronous TD exit to the host (§5.1): external interrupt, INIT,
    /// SMIs, EPT misconfiguration, PML full, bus lock, NOTIFICATION.
    static let hostExitReasons: Set<UInt32> = [1, 3, 5, 6, 49, 62, 74, 75]

    /// Any other VM exit given by its reason: the unconditional L2→L1 list exits to L1, the host list TD-exits,
    /// and a reason the module has no case for (MTF, …) makes the TD fatal (§13 O4).
    mutating func otherExit(_ i: Int, _ vm: Int, _ reason: ExitReason, qualification: UInt64, length: UInt32)
        -> L2Outcome
    {
        let basic = reason.rawValue & 0xFFFF
        let info = L2ExitInfo(reason, qualification: qualification, instructionLength: length)
        if Machine.l1ExitReasons.contains(basic) { return exitToL1(i, vm, info) }
        // NOTIFICATION with "VM context invalid" (qualification bit 0) makes the TD fatal (§13 B10).
        if basic == ExitReason.notification.rawValue && qualification & 1 != 0 {
            return fatalTDExit(i, vm, .nonRecoverableTD, reason: reason.rawValue)
        }
        if Machine.hostExitReasons.contains(basic) { return .tdExit(asyncTDExit(i, vm, info)) }
        return fatalTDExit(i, vm, .nonRecoverableTD, reason: reason.rawValue)
    }
}
