import SEAMTypes

/// Why a VM entry to an L2 VM failed the CPU's guest-state checks.
///
/// L1 sees it as an L2→L1 exit with exit reason 0x80000021 (`exitReason`) and this exit qualification; the
/// TDCALL status is SUCCESS and VM_LAUNCHED is unchanged (module `src/td_dispatcher/tdx_td_l2_dispatcher.c`,
/// `handle_l2_vm_entry_failures`).
public struct VMEntryFailure: Hashable, Sendable, CustomStringConvertible {
    /// The stable id of the first failing check, e.g. `cr0.pg-without-pe` (`VMEntryChecks.all` lists them).
    public var check: String
    /// Exit qualification (SDM Vol. 3C §27.7): 0 for most checks, 2 when a PDPTE is invalid, 3 when an NMI
    /// is injected into a guest blocking events by STI, 4 for a bad VMCS link pointer (not modelled here).
    public var qualification: UInt64

    public init(check: String, qualification: UInt64 = 0) {
        self.check = check
        self.qualification = qualification
    }

    /// Basic exit reason 33, "VM-entry failure due to invalid guest state", with bit 31 set.
    public static let exitReason: UInt32 = ExitReason.invalidGuestStateEntryFailure.rawValue

    /// `cr0.pg-without-pe (qualification 0)`.
    public var description: String { "\(check) (qualification \(qualification))" }
}

/// The CPU's VM-entry checks on the guest-state area (Intel SDM Vol. 3C §27.3.1, "Checks on the Guest State
/// Area"; §26.3.1 in older editions) for an L2 VM of a partitioned TD.
///
///     L2GuestState ──▶ 27.3.1.1 control registers, debug registers, MSRs
///                  ──▶ 27.3.1.2 segment registers (selector, base, limit, access rights)
///                  ──▶ 27.3.1.3 GDTR, IDTR
///                  ──▶ 27.3.1.4 RIP, RFLAGS
///                  ──▶ 27.3.1.5 activity state, interruptibility, pending debug exceptions
///                  ──▶ 27.3.1.6 PDPTEs (qualification 2) ──▶ first failing check, or nil
///
/// The SDM lets the CPU run these checks in any order; this model runs them in the order the SDM prints them
/// and reports the first one that fails, so a reader with the SDM beside `all` finds the same rules in the same
/// order. The check ids are stable: spec tables and traces name them.
///
/// What this model fixes (the processor and VMCS configuration TD partitioning gives every L2 VM):
/// * "Unrestricted guest" (`SecondaryControls.unrestrictedGuest`) is always 1 for L2 (Specs/l2-vmcs-fields.tsv).
///   So CR0.PE and CR0.PG are exempt from the CR0 fixed bits, CS may have type 3, and the RPL/DPL rules for
///   unrestricted guests apply.
///   "Enable EPT" is 1, so the PDPTE *fields* are checked, not the memory CR3 points to.
/// * IA32_VMX_CR0_FIXED0 = 0x80000021 and FIXED1 = 0xFFFFFFFF: with PE and PG exempt only NE must be 1, and
///   bits 63:32 must be 0. CD and NW are never checked (SDM: VM entry does not load them).
/// * IA32_VMX_CR4_FIXED0 = 0x2000 (VMXE); FIXED1 = 0x3FF6FFF: every CR4 bit defined through UINTR (bit 25)
///   except bit 15 (reserved) and LA57 (bit 12), because this processor has 48-bit linear addresses.
/// * MAXPHYADDR = 52 (CR3 and PDPTE bits 63:52 reserved); canonical = bits 63:47 all equal. RIP in 64-bit
///   mode is checked as the SDM words it, "bits 63:N identical" with N = 48, which lets bit 47 differ: a RIP
///   of 0x0000800000000000 passes VM entry (it faults on the first fetch instead).
/// * IA32_EFER defines SCE (0), LME (8), LMA (10), NXE (11). IA32_DEBUGCTL defines bits 0–2 and 6–15
///   (LBR, BTF, bus-lock detect, TR, BTS, BTINT, BTS_OFF_OS/USR, FREEZE_*, uncore PMI, RTM_DEBUG).
/// * Activity states 0–3 are supported; the processor supports RTM (pending-debug bit 16) and SGX
///   (interruptibility bit 4) and requires no STI blocking when an NMI is injected (qualification 3).
/// * Not modelled, because the fields are not in `L2GuestState` or the module owns them: the VMCS link pointer
///   (qualification 4), "load IA32_PERF_GLOBAL_CTRL / BNDCFGS / RTIT_CTL / CET state / LBR_CTL / PKRS / UINV",
///   SSP, the virtual-NMI rule on interruptibility bit 3 (needs the pin-based controls), and the "entry to
///   SMM" rules (that control must be 0 outside SMM, a control-field check that fails before these).
public enum VMEntryChecks {
    /// One guest-state check: a stable id, the SDM section that states it, the rule in a line, and the
    /// exit qualification when it fails.
    public struct Check: Sendable, CustomStringConvertible {
        /// Stable id: `<field>.<what is wrong>`, e.g. `efer.lma-ne-ia32e`, `ss.ar.dpl-not-zero`.
        public let id: String
        /// The SDM Vol. 3C section, current numbering (e.g. `27.3.1.2`).
        public let section: String
        /// The rule, paraphrased from the SDM, as the state must have it.
        public let rule: String
        /// Exit qualification reported when this check fails.
        public let qualification: UInt64
        public let fails: @Sendable (L2GuestState) -> Bool

        init(
            _ id: String, _ section: String, _ rule: String, qualification: UInt64 = 0,
            fails: @escaping @Sendable (L2GuestState) -> Bool
        ) {
            self.id = id
            self.section = section
            self.rule = rule
            self.qualification = qualification
            self.fails = fails
        }

        /// `cr0.ne-clear (SDM 3C 27.3.1.1): CR0.NE must be 1 …`.
        public var description: String { "\(id) (SDM 3C \(section)): \(rule)" }
    }

    /// The first failing check as a VM-entry failure, or nil when the CPU would accept the state.
    public static func check(_ s: L2GuestState) -> VMEntryFailure? {
        for c in all where c.fails(s) { return VMEntryFailure(check: c.id, qualification: c.qualification) }
        return nil
    }

    /// The checks that read RIP (the two RIP rules of 27.3.1.4), which read nothing else but the IA-32e mode
    /// guest control and CS.L.
    public static let ripChecks: [Check] = all.filter { $0.id.hasPrefix("rip.") }

    /// Only the RIP checks, for an entry whose guest state passed `check` before and has changed since in RIP
    /// alone (an L1 advancing L2's RIP past an emulated instruction): the other checks cannot change their
    /// verdict.
    /// (The two rules written out rather than run through `ripChecks`' closures on a whole `L2GuestState`:
    /// this runs on every entry after L1 advanced RIP. A test checks the two agree.)
    public static func checkRIP(_ rip: UInt64, entryControls: UInt32, csAccessRights: UInt32) -> VMEntryFailure? {
        let longMode =
            EntryControls(UInt64(entryControls)).contains(.ia32eModeGuest)
            && SegmentAccessRights(csAccessRights).contains(.l)
        if !longMode && rip >> 32 != 0 { return VMEntryFailure(check: "rip.bits-63-32") }
        if longMode && rip >> 48 != 0 && rip >> 48 != 0xFFFF { return VMEntryFailure(check: "rip.bits-63-48-differ") }
        return nil
    }

    /// Every check, in the order `check` runs them (the SDM's order).
    public static let all: [Check] =
        controlRegisters + segmentSelectors + segmentBases + segmentLimits + segmentAccessRights
        + descriptorTables + ripAndRFLAGS + nonRegisterState + pdptes

    /// The check ids in order.
    public static var ids: [String] { all.map(\.id) }

    // MARK: - Constants of the modelled processor (see the type's comment)

    /// IA32_VMX_CR4_FIXED1, 0x3FF6FFF: every CR4 bit defined through UINTR but LA57.
    static var cr4Fixed1: CR4 { CR4.defined.subtracting(.la57) }
    /// The IA32_EFER bits this processor defines: SCE, LME, LMA, NXE.
    static var eferDefined: IA32EFER { IA32EFER.sce.union(.lme).union(.lma).union(.nxe) }
    /// Bits 63:52: above MAXPHYADDR = 52.
    static let aboveMaxPhysAddr: UInt64 = 0xFFF0_0000_0000_0000
    /// PAE PDPTE bit 0, P (SDM Vol. 3A Table 4-8).
    static let pdptePresent: UInt64 = 1 << 0
    /// PAE PDPTE bits 2:1, 8:5 and 63:MAXPHYADDR (SDM Vol. 3A Table 4-8).
    static let pdpteReserved: UInt64 = 0xFFF0_0000_0000_01E6

    /// Bits 63:47 all equal (48-bit linear addresses).
    static func isCanonical(_ address: UInt64) -> Bool {
        let top = address >> 47
        return top == 0 || top == 0x1_FFFF
    }

    /// The limit and G agree: limit bits 11:0 not all ones → G = 0; any of limit bits 31:20 set → G = 1.
    static func limitAgreesWithG(_ seg: L2GuestState.Segment) -> Bool {
        if seg.limit & 0xFFF != 0xFFF && seg.g { return false }
        if seg.limit & 0xFFF0_0000 != 0 && !seg.g { return false }
        return true
    }

    /// The event the VM-entry interruption information injects, when it is valid.
    static func injection(_ s: L2GuestState) -> (type: InterruptionInfo.InterruptionType, vector: UInt32)? {
        let info = InterruptionInfo(s.entryInterruptionInfo)
        return info.isValid ? (info.type, info.vector) : nil
    }

    typealias Seg = L2GuestState.SegmentRegister
    /// CS, SS, DS, ES, FS, GS: the order the SDM lists them in.
    static let codeAndData: [Seg] = [.cs, .ss, .ds, .es, .fs, .gs]

    static func upper(_ r: Seg) -> String { r.rawValue.uppercased() }

    // MARK: - 27.3.1.1 Checks on guest control registers, debug registers and MSRs

    static let controlRegisters: [Check] = [
        Check("cr0.reserved", "27.3.1.1", "CR0 bits 63:32 must be 0 (IA32_VMX_CR0_FIXED1)") { $0.cr0 >> 32 != 0 },
        Check("cr0.ne-clear", "27.3.1.1", "CR0.NE must be 1 (CR0_FIXED0; PE, PG exempt for unrestricted guests)") {
            !CR0($0.cr0).contains(.ne)
        },
        Check("cr0.pg-without-pe", "27.3.1.1", "if CR0.PG is 1, CR0.PE must be 1") {
            CR0($0.cr0).contains(.pg) && !CR0($0.cr0).contains(.pe)
        },
        Check("cr4.reserved", "27.3.1.1", "CR4 bits clear in IA32_VMX_CR4_FIXED1 (0x3FF6FFF) must be 0") {
            !CR4($0.cr4).isSubset(of: cr4Fixed1)
        },
        Check("cr4.vmxe-clear", "27.3.1.1", "CR4.VMXE must be 1 (IA32_VMX_CR4_FIXED0)") {
            !CR4($0.cr4).contains(.vmxe)
        },
        Check("cr4.cet-without-wp", "27.3.1.1", "if CR4.CET is 1, CR0.WP must be 1") {
            CR4($0.cr4).contains(.cet) && !CR0($0.cr0).contains(.wp)
        },
        Check("debugctl.reserved", "27.3.1.1", "with load debug controls, IA32_DEBUGCTL reserved bits must be 0") {
            $0.entry.contains(.loadDebugControls) && !IA32DebugCtl($0.debugCtl).isSubset(of: .defined)
        },
        Check("ia32e.pg-clear", "27.3.1.1", "with the IA-32e mode guest control, CR0.PG must be 1") {
            $0.isIA32eModeGuest && !CR0($0.cr0).contains(.pg)
        },
        Check("ia32e.pae-clear", "27.3.1.1", "with the IA-32e mode guest control, CR4.PAE must be 1") {
            $0.isIA32eModeGuest && !CR4($0.cr4).contains(.pae)
        },
        Check("cr4.pcide-without-ia32e", "27.3.1.1", "without the IA-32e mode guest control, CR4.PCIDE must be 0") {
            !$0.isIA32eModeGuest && CR4($0.cr4).contains(.pcide)
        },
        Check("cr3.reserved", "27.3.1.1", "CR3 bits 63:MAXPHYADDR (63:52) must be 0") {
            $0.cr3 & aboveMaxPhysAddr != 0
        },
        Check("dr7.reserved", "27.3.1.1", "with load debug controls, DR7 bits 63:32 must be 0") {
            $0.entry.contains(.loadDebugControls) && $0.dr7 >> 32 != 0
        },
        Check("sysenter-esp.non-canonical", "27.3.1.1", "IA32_SYSENTER_ESP must be canonical") {
            !isCanonical($0.sysenterESP)
        },
        Check("sysenter-eip.non-canonical", "27.3.1.1", "IA32_SYSENTER_EIP must be canonical") {
            !isCanonical($0.sysenterEIP)
        },
        Check("pat.invalid-type", "27.3.1.1", "with load IA32_PAT, every PAT byte must be 0, 1, 4, 5, 6 or 7") { s in
            guard s.entry.contains(.loadIA32PAT) else { return false }
            return (0..<8).contains { i in
                let t = (s.pat >> (8 * UInt64(i))) & 0xFF
                return t == 2 || t == 3 || t > 7
            }
        },
        Check("efer.reserved", "27.3.1.1", "with load IA32_EFER, EFER reserved bits must be 0") {
            $0.entry.contains(.loadIA32EFER) && !IA32EFER($0.efer).isSubset(of: eferDefined)
        },
        Check("efer.lma-ne-ia32e", "27.3.1.1", "with load IA32_EFER, EFER.LMA must equal the IA-32e control") {
            $0.entry.contains(.loadIA32EFER) && IA32EFER($0.efer).contains(.lma) != $0.isIA32eModeGuest
        },
        Check("efer.lme-ne-lma", "27.3.1.1", "with load IA32_EFER and CR0.PG = 1, EFER.LME must equal EFER.LMA") {
            $0.entry.contains(.loadIA32EFER) && CR0($0.cr0).contains(.pg)
                && IA32EFER($0.efer).contains(.lme) != IA32EFER($0.efer).contains(.lma)
        },
    ]

    // MARK: - 27.3.1.2 Checks on guest segment registers
    // ("SS.RPL = CS.RPL" and the data-segment "DPL ≥ RPL" rule apply only when unrestricted guest is 0.)

    static let segmentSelectors: [Check] = [
        Check("tr.sel.ti", "27.3.1.2", "TR selector TI (bit 2) must be 0") {
            SegmentSelector($0.tr.selector).contains(.ti)
        },
        Check("ldtr.sel.ti", "27.3.1.2", "if LDTR is usable, its selector TI (bit 2) must be 0") {
            $0.ldtr.isUsable && SegmentSelector($0.ldtr.selector).contains(.ti)
        },
    ]

    static let segmentBases: [Check] =
        codeAndData.map { r in
            Check("\(r.rawValue).base.v8086", "27.3.1.2", "in virtual-8086 mode, \(upper(r)) base = selector << 4") {
                $0.isVirtual8086 && $0[r].base != UInt64($0[r].selector) << 4
            }
        }
        + [Seg.tr, .fs, .gs].map { r in
            Check("\(r.rawValue).base.non-canonical", "27.3.1.2", "\(upper(r)) base must be canonical") {
                !isCanonical($0[r].base)
            }
        }
        + [
            Check("ldtr.base.non-canonical", "27.3.1.2", "if LDTR is usable, its base must be canonical") {
                $0.ldtr.isUsable && !isCanonical($0.ldtr.base)
            },
            Check("cs.base.bits-63-32", "27.3.1.2", "CS base bits 63:32 must be 0") { $0.cs.base >> 32 != 0 },
        ]
        + [Seg.ss, .ds, .es].map { r in
            Check("\(r.rawValue).base.bits-63-32", "27.3.1.2", "if \(upper(r)) is usable, base bits 63:32 must be 0") {
                $0[r].isUsable && $0[r].base >> 32 != 0
            }
        }

    static let segmentLimits: [Check] = codeAndData.map { r in
        Check("\(r.rawValue).limit.v8086", "27.3.1.2", "in virtual-8086 mode, \(upper(r)) limit must be 0xFFFF") {
            $0.isVirtual8086 && $0[r].limit != 0xFFFF
        }
    }

    /// CS always, SS/DS/ES/FS/GS when usable: the registers most access-rights rules apply to.
    static func appliesTo(_ s: L2GuestState, _ r: Seg) -> Bool {
        !s.isVirtual8086 && (r == .cs || s[r].isUsable)
    }

    static let segmentAccessRights: [Check] =
        codeAndData.map { r in
            Check("\(r.rawValue).ar.v8086", "27.3.1.2", "in virtual-8086 mode, \(upper(r)) AR must be 0xF3") {
                $0.isVirtual8086 && $0[r].accessRights != 0xF3
            }
        }
        // Bits 3:0, type.
        + [
            Check("cs.ar.type", "27.3.1.2", "CS type must be 3 (unrestricted guest), 9, 11, 13 or 15") {
                !$0.isVirtual8086 && ![3, 9, 11, 13, 15].contains($0.cs.type)
            },
            Check("ss.ar.type", "27.3.1.2", "if SS is usable, its type must be 3 or 7") {
                appliesTo($0, .ss) && $0.ss.type != 3 && $0.ss.type != 7
            },
        ]
        + [Seg.ds, .es, .fs, .gs].flatMap { r in
            [
                Check(
                    "\(r.rawValue).ar.type-not-accessed", "27.3.1.2", "if \(upper(r)) is usable, type bit 0 must be 1"
                ) {
                    appliesTo($0, r) && !$0[r].rights.contains(.accessed)
                },
                Check(
                    "\(r.rawValue).ar.code-not-readable", "27.3.1.2",
                    "if \(upper(r)) is usable and a code segment, it must be readable (type bit 1)"
                ) {
                    appliesTo($0, r) && $0[r].rights.contains(.code) && !$0[r].rights.contains(.readWrite)
                },
            ]
        }
        // Bit 4, S.
        + codeAndData.map { r in
            Check("\(r.rawValue).ar.s-clear", "27.3.1.2", "\(upper(r)) S must be 1 (CS, or usable)") {
                appliesTo($0, r) && !$0[r].s
            }
        }
        // Bits 6:5, DPL.
        + [
            Check("cs.ar.dpl-not-zero", "27.3.1.2", "if CS type is 3, CS.DPL must be 0") {
                !$0.isVirtual8086 && $0.cs.type == 3 && $0.cs.dpl != 0
            },
            Check("cs.ar.dpl-ne-ss", "27.3.1.2", "if CS type is 9 or 11 (non-conforming), CS.DPL must equal SS.DPL") {
                !$0.isVirtual8086 && ($0.cs.type == 9 || $0.cs.type == 11) && $0.cs.dpl != $0.ss.dpl
            },
            Check("cs.ar.dpl-above-ss", "27.3.1.2", "if CS type is 13 or 15 (conforming), CS.DPL must be ≤ SS.DPL") {
                !$0.isVirtual8086 && ($0.cs.type == 13 || $0.cs.type == 15) && $0.cs.dpl > $0.ss.dpl
            },
            Check("ss.ar.dpl-not-zero", "27.3.1.2", "if CS type is 3 or CR0.PE is 0, SS.DPL must be 0") {
                !$0.isVirtual8086 && ($0.cs.type == 3 || !CR0($0.cr0).contains(.pe)) && $0.ss.dpl != 0
            },
        ]
        // Bit 7, P.
        + codeAndData.map { r in
            Check("\(r.rawValue).ar.p-clear", "27.3.1.2", "\(upper(r)) P must be 1 (CS, or usable)") {
                appliesTo($0, r) && !$0[r].present
            }
        }
        // Bits 11:8, reserved.
        + codeAndData.map { r in
            Check("\(r.rawValue).ar.reserved-11-8", "27.3.1.2", "\(upper(r)) AR bits 11:8 must be 0 (CS, or usable)") {
                appliesTo($0, r) && !$0[r].rights.isDisjoint(with: .reserved11to8)
            }
        }
        // Bit 14, D/B.
        + [
            Check("cs.ar.l-and-d", "27.3.1.2", "in IA-32e mode with CS.L = 1, CS.D must be 0") {
                !$0.isVirtual8086 && $0.isIA32eModeGuest && $0.cs.l && $0.cs.db
            }
        ]
        // Bit 15, G.
        + codeAndData.map { r in
            Check("\(r.rawValue).ar.g-limit", "27.3.1.2", "\(upper(r)) G must agree with the limit (CS, or usable)") {
                appliesTo($0, r) && !limitAgreesWithG($0[r])
            }
        }
        // Bits 31:17, reserved.
        + codeAndData.map { r in
            Check(
                "\(r.rawValue).ar.reserved-31-17", "27.3.1.2", "\(upper(r)) AR bits 31:17 must be 0 (CS, or usable)"
            ) {
                appliesTo($0, r) && !$0[r].rights.isDisjoint(with: .reserved31to17)
            }
        }
        // TR.
        + [
            Check("tr.ar.type", "27.3.1.2", "TR type must be 11 in IA-32e mode, else 3 or 11 (busy TSS)") {
                $0.isIA32eModeGuest ? $0.tr.type != 11 : ($0.tr.type != 3 && $0.tr.type != 11)
            },
            Check("tr.ar.s-set", "27.3.1.2", "TR S must be 0") { $0.tr.s },
            Check("tr.ar.p-clear", "27.3.1.2", "TR P must be 1") { !$0.tr.present },
            Check("tr.ar.reserved-11-8", "27.3.1.2", "TR AR bits 11:8 must be 0") {
                !$0.tr.rights.isDisjoint(with: .reserved11to8)
            },
            Check("tr.ar.g-limit", "27.3.1.2", "TR G must agree with the limit") { !limitAgreesWithG($0.tr) },
            Check("tr.ar.unusable", "27.3.1.2", "TR must be usable (AR bit 16 = 0)") { !$0.tr.isUsable },
            Check("tr.ar.reserved-31-17", "27.3.1.2", "TR AR bits 31:17 must be 0") {
                !$0.tr.rights.isDisjoint(with: .reserved31to17)
            },
        ]
        // LDTR, only when usable.
        + [
            Check("ldtr.ar.type", "27.3.1.2", "if LDTR is usable, its type must be 2") {
                $0.ldtr.isUsable && $0.ldtr.type != 2
            },
            Check("ldtr.ar.s-set", "27.3.1.2", "if LDTR is usable, S must be 0") { $0.ldtr.isUsable && $0.ldtr.s },
            Check("ldtr.ar.p-clear", "27.3.1.2", "if LDTR is usable, P must be 1") {
                $0.ldtr.isUsable && !$0.ldtr.present
            },
            Check("ldtr.ar.reserved-11-8", "27.3.1.2", "if LDTR is usable, AR bits 11:8 must be 0") {
                $0.ldtr.isUsable && !$0.ldtr.rights.isDisjoint(with: .reserved11to8)
            },
            Check("ldtr.ar.g-limit", "27.3.1.2", "if LDTR is usable, G must agree with the limit") {
                $0.ldtr.isUsable && !limitAgreesWithG($0.ldtr)
            },
            Check("ldtr.ar.reserved-31-17", "27.3.1.2", "if LDTR is usable, AR bits 31:17 must be 0") {
                $0.ldtr.isUsable && !$0.ldtr.rights.isDisjoint(with: .reserved31to17)
            },
        ]

    // MARK: - 27.3.1.3 Checks on guest descriptor-table registers

    static let descriptorTables: [Check] = [
        Check("gdtr.base.non-canonical", "27.3.1.3", "GDTR base must be canonical") { !isCanonical($0.gdtrBase) },
        Check("idtr.base.non-canonical", "27.3.1.3", "IDTR base must be canonical") { !isCanonical($0.idtrBase) },
        Check("gdtr.limit.reserved", "27.3.1.3", "GDTR limit bits 31:16 must be 0") { $0.gdtrLimit >> 16 != 0 },
        Check("idtr.limit.reserved", "27.3.1.3", "IDTR limit bits 31:16 must be 0") { $0.idtrLimit >> 16 != 0 },
    ]

    // MARK: - 27.3.1.4 Checks on guest RIP and RFLAGS

    static let ripAndRFLAGS: [Check] = [
        Check("rip.bits-63-32", "27.3.1.4", "without IA-32e mode or with CS.L = 0, RIP bits 63:32 must be 0") {
            !($0.isIA32eModeGuest && $0.cs.l) && $0.rip >> 32 != 0
        },
        Check("rip.bits-63-48-differ", "27.3.1.4", "in IA-32e mode with CS.L = 1, RIP bits 63:48 must be identical") {
            $0.isIA32eModeGuest && $0.cs.l && $0.rip >> 48 != 0 && $0.rip >> 48 != 0xFFFF
        },
        Check("rflags.reserved", "27.3.1.4", "RFLAGS bits 63:22, 15, 5 and 3 must be 0") {
            !RFLAGS($0.rflags).isDisjoint(with: .reserved)
        },
        Check("rflags.bit1-clear", "27.3.1.4", "RFLAGS bit 1 must be 1") { !RFLAGS($0.rflags).contains(.fixed1) },
        Check("rflags.vm-in-ia32e", "27.3.1.4", "with the IA-32e mode guest control, RFLAGS.VM must be 0") {
            $0.isIA32eModeGuest && $0.isVirtual8086
        },
        Check("rflags.vm-without-pe", "27.3.1.4", "with CR0.PE = 0, RFLAGS.VM must be 0") {
            !CR0($0.cr0).contains(.pe) && $0.isVirtual8086
        },
        Check("rflags.if-clear-extint", "27.3.1.4", "when injecting an external interrupt, RFLAGS.IF must be 1") {
            injection($0)?.type == .externalInterrupt && !RFLAGS($0.rflags).contains(.if)
        },
    ]

    // MARK: - 27.3.1.5 Checks on guest non-register state

    static let nonRegisterState: [Check] = [
        // Activity state.
        Check("activity.unsupported", "27.3.1.5", "the activity state must be 0–3 (active, HLT, shutdown, SIPI)") {
            $0.activityState > ActivityState.waitForSIPI.rawValue
        },
        Check("activity.hlt-ss-dpl", "27.3.1.5", "the activity state must not be HLT if SS.DPL is not 0") {
            $0.activityState == ActivityState.hlt.rawValue && $0.ss.dpl != 0
        },
        Check("activity.blocking-not-active", "27.3.1.5", "with blocking by STI or MOV SS the state must be active") {
            isBlockingBySTIOrMovSS($0) && $0.activityState != ActivityState.active.rawValue
        },
        Check("activity.event-blocked", "27.3.1.5", "the activity state must let the injected event through") { s in
            guard let event = injection(s) else { return false }
            let db = UInt32(ExceptionVector.db)
            let mc = UInt32(ExceptionVector.mc)
            switch ActivityState(rawValue: s.activityState) {
            case .hlt:  // External interrupt, NMI, #DB, #MC, pending MTF VM exit.
                let allowed =
                    event.type == .externalInterrupt || event.type == .nmi
                    || (event.type == .hardwareException && (event.vector == db || event.vector == mc))
                    || (event.type == .otherEvent && event.vector == 0)
                return !allowed
            case .shutdown:  // NMI and #MC only.
                return !(event.type == .nmi || (event.type == .hardwareException && event.vector == mc))
            case .waitForSIPI: return true  // Nothing.
            default: return false
            }
        },
        // Interruptibility state.
        Check("interruptibility.reserved", "27.3.1.5", "interruptibility bits 31:5 must be 0") {
            !InterruptibilityState($0.interruptibility).isDisjoint(with: .reserved)
        },
        Check("interruptibility.sti-and-movss", "27.3.1.5", "blocking by STI and by MOV SS must not both be 1") {
            InterruptibilityState($0.interruptibility).contains(.blockingBySTIOrMovSS)
        },
        Check("interruptibility.sti-without-if", "27.3.1.5", "blocking by STI must be 0 if RFLAGS.IF is 0") {
            InterruptibilityState($0.interruptibility).contains(.blockingBySTI) && !RFLAGS($0.rflags).contains(.if)
        },
        Check(
            "interruptibility.extint-blocked", "27.3.1.5",
            "when injecting an external interrupt, blocking by STI and by MOV SS must be 0"
        ) {
            injection($0)?.type == .externalInterrupt && isBlockingBySTIOrMovSS($0)
        },
        Check("interruptibility.nmi-movss", "27.3.1.5", "when injecting an NMI, blocking by MOV SS must be 0") {
            injection($0)?.type == .nmi && InterruptibilityState($0.interruptibility).contains(.blockingByMovSS)
        },
        Check(
            "interruptibility.nmi-sti", "27.3.1.5",
            "when injecting an NMI, blocking by STI must be 0 (this processor requires it; qualification 3)",
            qualification: 3
        ) {
            injection($0)?.type == .nmi && InterruptibilityState($0.interruptibility).contains(.blockingBySTI)
        },
        Check("interruptibility.smi-outside-smm", "27.3.1.5", "blocking by SMI must be 0 outside SMM") {
            InterruptibilityState($0.interruptibility).contains(.blockingBySMI)
        },
        Check("interruptibility.enclave-movss", "27.3.1.5", "with enclave interruption, blocking by MOV SS must be 0") {
            InterruptibilityState($0.interruptibility).contains(.enclaveInterruption.union(.blockingByMovSS))
        },
        // Pending debug exceptions.
        Check("pending-dbg.reserved", "27.3.1.5", "pending debug exceptions bits 11:4, 13, 15 and 63:17 must be 0") {
            !PendingDebugExceptions($0.pendingDebugExceptions).isDisjoint(with: .reserved)
        },
        Check(
            "pending-dbg.bs-clear", "27.3.1.5",
            "with STI/MOV SS blocking or HLT, BS must be 1 if RFLAGS.TF = 1 and DEBUGCTL.BTF = 0"
        ) {
            bsRuleApplies($0) && singleStepPending($0)
                && !PendingDebugExceptions($0.pendingDebugExceptions).contains(.bs)
        },
        Check(
            "pending-dbg.bs-set", "27.3.1.5",
            "with STI/MOV SS blocking or HLT, BS must be 0 if RFLAGS.TF = 0 or DEBUGCTL.BTF = 1"
        ) {
            bsRuleApplies($0) && !singleStepPending($0)
                && PendingDebugExceptions($0.pendingDebugExceptions).contains(.bs)
        },
        Check("pending-dbg.rtm-bits", "27.3.1.5", "if RTM (bit 16) is 1, bits 11:0 and 15:13 must be 0 and bit 12 1") {
            let pending = PendingDebugExceptions($0.pendingDebugExceptions)
            return pending.contains(.rtm) && pending != PendingDebugExceptions.rtm.union(.enabledBreakpoint)
        },
        Check("pending-dbg.rtm-movss", "27.3.1.5", "if RTM (bit 16) is 1, blocking by MOV SS must be 0") {
            PendingDebugExceptions($0.pendingDebugExceptions).contains(.rtm)
                && InterruptibilityState($0.interruptibility).contains(.blockingByMovSS)
        },
    ]

    /// Blocking by STI or by MOV SS.
    static func isBlockingBySTIOrMovSS(_ s: L2GuestState) -> Bool {
        !InterruptibilityState(s.interruptibility).isDisjoint(with: .blockingBySTIOrMovSS)
    }
    /// Blocking by STI, blocking by MOV SS, or the HLT state: when the BS rules apply.
    static func bsRuleApplies(_ s: L2GuestState) -> Bool {
        isBlockingBySTIOrMovSS(s) || s.activityState == ActivityState.hlt.rawValue
    }
    /// RFLAGS.TF = 1 and IA32_DEBUGCTL.BTF = 0: a single-step trap is due after the next instruction.
    static func singleStepPending(_ s: L2GuestState) -> Bool {
        RFLAGS(s.rflags).contains(.tf) && !IA32DebugCtl(s.debugCtl).contains(.btf)
    }

    // MARK: - 27.3.1.6 Checks on guest page-directory-pointer-table entries

    static let pdptes: [Check] = (0..<4).map { n in
        Check(
            "pdpte\(n).reserved", "27.3.1.6",
            "with PAE paging (PG, PAE, not IA-32e), a present PDPTE\(n) must have bits 2:1, 8:5, 63:52 clear",
            qualification: 2
        ) {
            $0.usesPAEPaging && $0.pdpte(n) & pdptePresent != 0 && $0.pdpte(n) & pdpteReserved != 0
        }
    }
}
