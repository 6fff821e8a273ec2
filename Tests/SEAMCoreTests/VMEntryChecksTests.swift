import SEAMCore
import SEAMTypes
import Testing

// L2 VM-entry guest-state checks (SDM Vol. 3C §27.3.1; what L1 sees of a failure: tdx-module
// src/td_dispatcher/tdx_td_l2_dispatcher.c handle_l2_vm_entry_failures; the reset state:
// src/common/data_structures/td_vmcs_init.c). The table Specs/vm-entry-checks.tsv has a row per check; these are
// the hand-written cases around it.
@Suite struct VMEntryChecksTests {
    static let bases: [String: L2GuestState] = [
        "reset": .reset, "protectedFlat": .protectedFlat, "paged32": .paged32, "long64": .long64,
        "compatibility": .compatibility,
    ]

    @Test(arguments: ["reset", "protectedFlat", "paged32", "long64", "compatibility"])
    func eachCanonicalStatePasses(_ name: String) throws {
        let s = try #require(Self.bases[name])
        #expect(VMEntryChecks.check(s) == nil)
    }

    @Test func resetStateIsTheModulesNotTheRealModeOne() {
        let s = L2GuestState.reset
        #expect(s.cr0 == 0x21 && s.cr4 == 0x2040 && s.efer == 0x901)
        #expect(s.rip == 0xFFFF_FFF0 && s.rflags == 0x2)
        #expect(s.cs == L2GuestState.Segment(selector: 0, base: 0, limit: 0xFFFF_FFFF, accessRights: 0xC09B))
        #expect(s.ss.accessRights == 0xC093 && s.ldtr.accessRights == 0x1_0082 && s.tr.accessRights == 0x8B)
        #expect(s.pat == 0x0007_0406_0007_0406 && s.dr7 == 0x400 && s.entryControls == 0x003E_C004)
        #expect(s.pdpte0 == ~0 && s.pdpte3 == ~0)
        #expect(!s.isIA32eModeGuest && !s.usesPAEPaging)
    }

    @Test func longModeRIPWithBits63To48NotIdenticalFailsTheRIPCheck() {
        var s = L2GuestState.long64
        s.rip = 0x0001_0000_0000_0000
        #expect(VMEntryChecks.check(s) == VMEntryFailure(check: "rip.bits-63-48-differ", qualification: 0))
    }

    @Test func longModeRIPAt0x0000_8000_0000_0000PassesBecauseOnlyBits63To48AreChecked() {
        // SDM: "bits 63:N must be identical" (N = 48), not "canonical"; Xen reverted its XSA-170 change for
        // exactly this boundary. Compare SYSENTER_EIP, which must be canonical.
        var s = L2GuestState.long64
        s.rip = 0x0000_8000_0000_0000
        #expect(VMEntryChecks.check(s) == nil)
        s.sysenterEIP = 0x0000_8000_0000_0000
        #expect(VMEntryChecks.check(s)?.check == "sysenter-eip.non-canonical")
    }

    @Test func compatibilityModeRIPAbove4GFails() {
        var s = L2GuestState.compatibility
        s.rip = 0x1_0000_0000
        #expect(VMEntryChecks.check(s)?.check == "rip.bits-63-32")
    }

    @Test func pagingWithoutProtectionFailsAtEntryNotAtVPWr() {
        // tdx-module metadata_vp.c md_vp_element_l2_vmcs_wr_handle: TDG.VP.WR accepts CR0.PG = 1 with PE = 0; the
        // VM entry fails.
        var s = L2GuestState.reset
        s.cr0 = 0x8000_0020
        #expect(VMEntryChecks.check(s) == VMEntryFailure(check: "cr0.pg-without-pe"))
    }

    @Test func enteringLongModeNeedsControlEFERAndPagingTogether() {
        var s = L2GuestState.paged32
        s.entryControls |= L2GuestState.ia32eModeGuest
        #expect(VMEntryChecks.check(s)?.check == "efer.lma-ne-ia32e")
        s.efer = 0xD01
        // Still 32-bit segments, TR and RIP: all legal in IA-32e mode with CS.L = 0 (compatibility mode).
        #expect(VMEntryChecks.check(s) == nil)
        s.cs.accessRights = 0xC09B | 0x2000  // L and D both set
        #expect(VMEntryChecks.check(s)?.check == "cs.ar.l-and-d")
    }

    @Test func eferChangedByL2WRMSRCanBreakTheNextEntry() {
        // tdx-module td_msr_access.c wrmsr_ia32_efer: the module lets L2 clear LME while CR0.PG = 1; the next
        // entry fails.
        var s = L2GuestState.long64
        s.efer &= ~0x100
        #expect(VMEntryChecks.check(s)?.check == "efer.lme-ne-lma")
    }

    @Test func pdpteFailuresReportQualification2() {
        var s = L2GuestState.paged32
        s.pdpte2 = 0x8000_0000_0040_2001
        #expect(VMEntryChecks.check(s) == VMEntryFailure(check: "pdpte2.reserved", qualification: 2))
        s.pdpte2 = 0x8000_0000_0040_2000  // not present: not checked
        #expect(VMEntryChecks.check(s) == nil)
    }

    @Test func nmiInjectedInAnSTIShadowReportsQualification3() {
        var s = L2GuestState.long64
        s.interruptibility = 1
        s.entryInterruptionInfo = 0x8000_0202
        #expect(VMEntryChecks.check(s) == VMEntryFailure(check: "interruptibility.nmi-sti", qualification: 3))
    }

    @Test func failureIsReportedAsExitReason0x80000021() {
        #expect(VMEntryFailure.exitReason == 0x8000_0021)
    }

    @Test func checkIDsAreUniqueAndEachCitesASection() {
        let ids = VMEntryChecks.ids
        #expect(Set(ids).count == ids.count)
        #expect(ids.first == "cr0.reserved" && ids.last == "pdpte3.reserved")
        for c in VMEntryChecks.all {
            #expect(c.section.hasPrefix("27.3.1."), "\(c.id)")
            #expect(!c.rule.isEmpty, "\(c.id)")
            #expect([0, 2, 3].contains(c.qualification), "\(c.id)")
        }
    }

    @Test func checksRunInSDMSectionOrder() {
        let sections = VMEntryChecks.all.map(\.section)
        #expect(sections == sections.sorted())
    }

    @Test func segmentSubscriptReadsAndWritesEachRegister() {
        var s = L2GuestState()
        for (i, r) in L2GuestState.SegmentRegister.allCases.enumerated() {
            s[r] = L2GuestState.Segment(selector: UInt16(i + 1))
        }
        #expect(s.es.selector == 1 && s.cs.selector == 2 && s.ldtr.selector == 7 && s.tr.selector == 8)
    }
}

@Suite struct VMEntryRIPFastPathTests {
    /// `checkRIP` (run on entries after L1 changed only RIP) must give what the full checks give for the RIP
    /// rules, for every mode and a spread of RIPs around the 32-bit and 48-bit boundaries.
    @Test func ripFastPathAgreesWithTheFullChecks() {
        let rips: [UInt64] = [
            0, 0xFFF0, 0xFFFF_FFF0, 0x1_0000_0000, 0x7FFF_FFFF_FFFF, 0x8000_0000_0000, 0xFFFF_8000_0000_0000,
            0x0001_0000_0000_0000, 0xFFFE_FFFF_FFFF_FFFF, ~0,
        ]
        for base in [L2GuestState.reset, .protectedFlat, .paged32, .long64, .compatibility] {
            for rip in rips {
                var s = base
                s.rip = rip
                let full = VMEntryChecks.ripChecks.first { $0.fails(s) }?.id
                let fast = VMEntryChecks.checkRIP(
                    rip, entryControls: s.entryControls, csAccessRights: s.cs.accessRights)
                #expect(fast?.check == full, "rip \(hexShort(rip)) entry \(hexShort(UInt64(s.entryControls)))")
            }
        }
    }
}
