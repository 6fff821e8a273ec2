import SEAMTypes
import Testing

/// The composite masks of the named-bit types agree with the bits they are made of.
@Suite struct NamedBitsTests {
    @Test func cr4DefinedIsEveryNamedBit() {
        let named: [CR4] = [
            .vme, .pvi, .tsd, .de, .pse, .pae, .mce, .pge, .pce, .osfxsr, .osxmmexcpt, .umip, .la57, .vmxe, .smxe,
            .fsgsbase, .pcide, .osxsave, .kl, .smep, .smap, .pke, .cet, .pks, .uintr,
        ]
        #expect(named.reduce(CR4()) { $0.union($1) } == .defined)
    }

    @Test func cr0IgnoredBitsAreTheReservedBitsBelow32() {
        // CR0_IGNORED_MASK (bits 28:19, 17 and 15:6) and bits 63:32 are every bit that is not named.
        let named: [CR0] = [.pe, .mp, .em, .ts, .et, .ne, .wp, .am, .nw, .cd, .pg]
        let all = named.reduce(CR0()) { $0.union($1) }
        #expect(all.isDisjoint(with: .ignored))
        #expect(all.union(.ignored).union(.reservedHigh).rawValue == ~0)
    }

    @Test func debugCtlDefinedIsEveryNamedBit() {
        let named: [IA32DebugCtl] = [
            .lbr, .btf, .busLockDetect, .tr, .bts, .btint, .btsOffOS, .btsOffUSR, .freezeLBRsOnPMI,
            .freezePerfmonOnPMI, .enableUncorePMI, .freezeWhileSMM, .rtmDebug,
        ]
        #expect(named.reduce(IA32DebugCtl()) { $0.union($1) } == .defined)
    }

    @Test func rflagsReservedIsWhatNoFlagNorIOPLUses() {
        let named: [RFLAGS] = [
            .cf, .fixed1, .pf, .af, .zf, .sf, .tf, .if, .df, .of, .nt, .rf, .vm, .ac, .vif, .vip, .id,
        ]
        let iopl = RFLAGS(3 << 12)
        #expect(named.reduce(iopl) { $0.union($1) }.union(.reserved).rawValue == ~0)
        #expect(named.reduce(iopl) { $0.union($1) }.isDisjoint(with: .reserved))
    }

    @Test func interruptionInfoPacksVectorTypeErrorCodeAndValid() {
        let gp = InterruptionInfo(vector: ExceptionVector.gp, type: .hardwareException, errorCode: true)
        #expect(gp.rawValue == 0x8000_0B0D)  // the module's GP_INTERRUPTION_INFO
        #expect(gp.isValid && gp.vector == 13 && gp.type == .hardwareException)
        #expect(InterruptionInfo(vector: ExceptionVector.nmi, type: .nmi).rawValue == 0x8000_0202)
    }

    @Test func crAccessQualificationPacksItsFields() {
        // MOV from CR3 into RBX (GPR 3): CR 3, access type 1, GPR 3 in bits 11:8.
        #expect(ExitQualification.CRAccess(cr: 3, .movFromCR, gpr: 3).rawValue == 0x313)
        // LMSW of 0x000F: access type 3, source in bits 31:16.
        #expect(ExitQualification.CRAccess(.lmsw, lmswSource: 0xF).rawValue == 0xF_0030)
    }

    @Test func basicExitReasonDropsTheEntryFailureBit() {
        #expect(ExitReason.invalidGuestStateEntryFailure.rawValue == 0x8000_0021)
        #expect(ExitReason.invalidGuestStateEntryFailure.basic == .entryFailGuestState)
    }
}
