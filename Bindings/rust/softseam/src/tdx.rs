//! TDX numbers of module 1.5.01 that L1 code written in Rust needs: the TDCALL and SEAMCALL leaves, the
//! completion status codes, GPA attribute bits and field-id helpers — the names `softseam_defs.h` gives them
//! (from Specs/leaves.tsv, Specs/status-codes.tsv, Specs/gpa-attr-bits.tsv). The layout test checks every
//! value here against the installed `softseam_defs.h`.

/// TDCALL leaves (RAX bits 15:0; the version in bits 23:16).
pub mod leaf {
    /// TDCALL leaf TDG.VP.VMCALL.
    pub const TDG_VP_VMCALL: u64 = 0;
    /// TDCALL leaf TDG.VP.INFO.
    pub const TDG_VP_INFO: u64 = 1;
    /// TDCALL leaf TDG.MR.RTMR.EXTEND.
    pub const TDG_MR_RTMR_EXTEND: u64 = 2;
    /// TDCALL leaf TDG.VP.VEINFO.GET.
    pub const TDG_VP_VEINFO_GET: u64 = 3;
    /// TDCALL leaf TDG.MR.REPORT.
    pub const TDG_MR_REPORT: u64 = 4;
    /// TDCALL leaf TDG.VP.CPUIDVE.SET.
    pub const TDG_VP_CPUIDVE_SET: u64 = 5;
    /// TDCALL leaf TDG.MEM.PAGE.ACCEPT.
    pub const TDG_MEM_PAGE_ACCEPT: u64 = 6;
    /// TDCALL leaf TDG.VM.RD.
    pub const TDG_VM_RD: u64 = 7;
    /// TDCALL leaf TDG.VM.WR.
    pub const TDG_VM_WR: u64 = 8;
    /// TDCALL leaf TDG.VP.RD.
    pub const TDG_VP_RD: u64 = 9;
    /// TDCALL leaf TDG.VP.WR.
    pub const TDG_VP_WR: u64 = 10;
    /// TDCALL leaf TDG.SYS.RD.
    pub const TDG_SYS_RD: u64 = 11;
    /// TDCALL leaf TDG.SYS.RDALL.
    pub const TDG_SYS_RDALL: u64 = 12;
    /// TDCALL leaf TDG.SERVTD.RD.
    pub const TDG_SERVTD_RD: u64 = 18;
    /// TDCALL leaf TDG.SERVTD.WR.
    pub const TDG_SERVTD_WR: u64 = 20;
    /// TDCALL leaf TDG.MR.VERIFYREPORT.
    pub const TDG_MR_VERIFYREPORT: u64 = 22;
    /// TDCALL leaf TDG.MEM.PAGE.ATTR.RD.
    pub const TDG_MEM_PAGE_ATTR_RD: u64 = 23;
    /// TDCALL leaf TDG.MEM.PAGE.ATTR.WR.
    pub const TDG_MEM_PAGE_ATTR_WR: u64 = 24;
    /// TDCALL leaf TDG.VP.ENTER.
    pub const TDG_VP_ENTER: u64 = 25;
    /// TDCALL leaf TDG.VP.INVEPT.
    pub const TDG_VP_INVEPT: u64 = 26;
    /// TDCALL leaf TDG.VP.INVVPID.
    pub const TDG_VP_INVVPID: u64 = 27;
    /// SEAMCALL leaf TDH.VP.ENTER; the SEAMCALL leaves from here on are the ones the model implements.
    pub const TDH_VP_ENTER: u64 = 0;
    /// SEAMCALL leaf TDH.MEM.PAGE.ADD.
    pub const TDH_MEM_PAGE_ADD: u64 = 2;
    /// SEAMCALL leaf TDH.MEM.SEPT.ADD.
    pub const TDH_MEM_SEPT_ADD: u64 = 3;
    /// SEAMCALL leaf TDH.MEM.PAGE.AUG.
    pub const TDH_MEM_PAGE_AUG: u64 = 6;
    /// SEAMCALL leaf TDH.MEM.RANGE.BLOCK.
    pub const TDH_MEM_RANGE_BLOCK: u64 = 7;
    /// SEAMCALL leaf TDH.MNG.RD.
    pub const TDH_MNG_RD: u64 = 11;
    /// SEAMCALL leaf TDH.MNG.WR.
    pub const TDH_MNG_WR: u64 = 13;
    /// SEAMCALL leaf TDH.MR.FINALIZE.
    pub const TDH_MR_FINALIZE: u64 = 17;
    /// SEAMCALL leaf TDH.VP.RD.
    pub const TDH_VP_RD: u64 = 26;
    /// SEAMCALL leaf TDH.MEM.PAGE.REMOVE.
    pub const TDH_MEM_PAGE_REMOVE: u64 = 29;
    /// SEAMCALL leaf TDH.SYS.RD.
    pub const TDH_SYS_RD: u64 = 34;
    /// SEAMCALL leaf TDH.MEM.TRACK.
    pub const TDH_MEM_TRACK: u64 = 38;
    /// SEAMCALL leaf TDH.MEM.RANGE.UNBLOCK.
    pub const TDH_MEM_RANGE_UNBLOCK: u64 = 39;
    /// SEAMCALL leaf TDH.VP.WR.
    pub const TDH_VP_WR: u64 = 43;
}

/// Completion status codes (RAX), without details (bits 31:0 carry an operand id or an exit reason).
pub mod status {
    /// Completion status TDX_SUCCESS (Specs/status-codes.tsv).
    pub const TDX_SUCCESS: u64 = 0x0000_0000_0000_0000;
    /// Completion status TDX_OPERAND_INVALID (Specs/status-codes.tsv).
    pub const TDX_OPERAND_INVALID: u64 = 0xC000_0100_0000_0000;
    /// Completion status TDX_OPERAND_BUSY (Specs/status-codes.tsv).
    pub const TDX_OPERAND_BUSY: u64 = 0x8000_0200_0000_0000;
    /// Completion status TDX_VCPU_STATE_INCORRECT (Specs/status-codes.tsv).
    pub const TDX_VCPU_STATE_INCORRECT: u64 = 0xC000_0700_0000_0000;
    /// Completion status TDX_NO_VALID_VE_INFO (Specs/status-codes.tsv).
    pub const TDX_NO_VALID_VE_INFO: u64 = 0xC000_0704_0000_0000;
    /// Completion status TDX_EPT_WALK_FAILED (Specs/status-codes.tsv).
    pub const TDX_EPT_WALK_FAILED: u64 = 0xC000_0B00_0000_0000;
    /// Completion status TDX_EPT_ENTRY_STATE_INCORRECT (Specs/status-codes.tsv).
    pub const TDX_EPT_ENTRY_STATE_INCORRECT: u64 = 0xC000_0B0D_0000_0000;
    /// Completion status TDX_PAGE_ALREADY_ACCEPTED (Specs/status-codes.tsv).
    pub const TDX_PAGE_ALREADY_ACCEPTED: u64 = 0x0000_0B0A_0000_0000;
    /// Completion status TDX_PAGE_SIZE_MISMATCH (Specs/status-codes.tsv).
    pub const TDX_PAGE_SIZE_MISMATCH: u64 = 0xC000_0B0B_0000_0000;
    /// Completion status TDX_L2_SEPT_WALK_FAILED (Specs/status-codes.tsv).
    pub const TDX_L2_SEPT_WALK_FAILED: u64 = 0xC000_0B0F_0000_0000;
    /// Completion status TDX_PAGE_ATTR_INVALID (Specs/status-codes.tsv).
    pub const TDX_PAGE_ATTR_INVALID: u64 = 0xC000_0B11_0000_0000;
    /// Completion status TDX_METADATA_FIELD_ID_INCORRECT (Specs/status-codes.tsv).
    pub const TDX_METADATA_FIELD_ID_INCORRECT: u64 = 0xC000_0C00_0000_0000;
    /// Completion status TDX_METADATA_FIELD_NOT_WRITABLE (Specs/status-codes.tsv).
    pub const TDX_METADATA_FIELD_NOT_WRITABLE: u64 = 0xC000_0C01_0000_0000;
    /// Completion status TDX_METADATA_FIELD_NOT_READABLE (Specs/status-codes.tsv).
    pub const TDX_METADATA_FIELD_NOT_READABLE: u64 = 0xC000_0C02_0000_0000;
    /// Completion status TDX_L2_EXIT_HOST_ROUTED_ASYNC (Specs/status-codes.tsv).
    pub const TDX_L2_EXIT_HOST_ROUTED_ASYNC: u64 = 0x0000_1100_0000_0000;
    /// Completion status TDX_L2_EXIT_HOST_ROUTED_TDVMCALL (Specs/status-codes.tsv).
    pub const TDX_L2_EXIT_HOST_ROUTED_TDVMCALL: u64 = 0x0000_1101_0000_0000;
    /// Completion status TDX_L2_EXIT_PENDING_INTERRUPT (Specs/status-codes.tsv).
    pub const TDX_L2_EXIT_PENDING_INTERRUPT: u64 = 0x0000_1102_0000_0000;
    /// Completion status TDX_PENDING_INTERRUPT (Specs/status-codes.tsv).
    pub const TDX_PENDING_INTERRUPT: u64 = 0x0000_1120_0000_0000;

    /// The status without its details (bits 63:32).
    pub const fn class(rax: u64) -> u64 {
        rax & 0xFFFF_FFFF_0000_0000
    }
    /// Bits 31:0: an operand id for operand errors, the exit reason after TDG.VP.ENTER.
    pub const fn details(rax: u64) -> u32 {
        rax as u32
    }
    /// Bit 63: the call failed.
    pub const fn is_error(rax: u64) -> bool {
        rax >> 63 != 0
    }
}

/// GPA attribute bits (TDG.MEM.PAGE.ATTR.RD/WR RDX: VM n in bits 16n+15:16n).
pub mod gpa_attr {
    /// GPA attribute bit R (Specs/gpa-attr-bits.tsv).
    pub const R: u16 = 1 << 0;
    /// GPA attribute bit W (Specs/gpa-attr-bits.tsv).
    pub const W: u16 = 1 << 1;
    /// GPA attribute bit XS (Specs/gpa-attr-bits.tsv).
    pub const XS: u16 = 1 << 2;
    /// GPA attribute bit XU (Specs/gpa-attr-bits.tsv).
    pub const XU: u16 = 1 << 3;
    /// GPA attribute bit VGP (Specs/gpa-attr-bits.tsv).
    pub const VGP: u16 = 1 << 4;
    /// GPA attribute bit PWA (Specs/gpa-attr-bits.tsv).
    pub const PWA: u16 = 1 << 5;
    /// GPA attribute bit SSS (Specs/gpa-attr-bits.tsv).
    pub const SSS: u16 = 1 << 6;
    /// GPA attribute bit SVE (Specs/gpa-attr-bits.tsv).
    pub const SVE: u16 = 1 << 7;
    /// GPA attribute bit VALID (Specs/gpa-attr-bits.tsv).
    pub const VALID: u16 = 1 << 15;
    /// ATTR.WR R8 flag: INVEPT (flush that L2 VM's translations).
    pub const FLAGS_INVEPT: u16 = 1 << 15;

    /// `attrs` placed in VM `vm`'s 16 bits.
    pub const fn for_vm(vm: u32, attrs: u16) -> u64 {
        (attrs as u64) << (16 * vm)
    }
    /// VM `vm`'s 16 bits of an ATTR.RD/WR RDX.
    pub const fn of_vm(rdx: u64, vm: u32) -> u16 {
        (rdx >> (16 * vm)) as u16
    }
}

/// Metadata field ids (TDG.VM.RD/WR, TDG.VP.RD/WR).
pub mod field {
    /// TD-scope NUM_L2_VMS (TDG.VM.RD).
    pub const TD_NUM_L2_VMS: u64 = 0x9010_0001_0000_0005;
    /// TD-scope GPAW (TDG.VM.RD).
    pub const TD_GPAW: u64 = 0x1110_0000_0000_0003;
    /// TD-scope TD_CTLS (TDG.VM.RD/WR).
    pub const TD_TD_CTLS: u64 = 0x1110_0003_0000_0017;

    /// L2_CTLS of VM `vm` (1…3), TDG.VP.RD/WR.
    pub const fn vp_l2_ctls(vm: u32) -> u64 {
        0xA020_0003_0000_0050 + vm as u64
    }
    /// TSC_DEADLINE of VM `vm` (1…3), TDG.VP.RD/WR.
    pub const fn vp_tsc_deadline(vm: u32) -> u64 {
        0xA020_0003_0000_0058 + vm as u64
    }
    /// L2 VMCS field `field` (element size code in bits 33:32, encoding in 15:0) of VM `vm` (1…3).
    pub const fn l2_vmcs(vm: u32, field: u64) -> u64 {
        ((36 + 8 * (vm as u64 - 1)) << 56) | (2 << 52) | field
    }
    /// Word `word` (0…511) of L1's view of VM `vm`'s MSR bitmap.
    pub const fn l2_msr_bitmap(vm: u32, word: u64) -> u64 {
        ((37 + 8 * (vm as u64 - 1)) << 56) | (2 << 52) | (3 << 32) | word
    }
    /// The bits an element of field `id` holds (from its element size code, bits 33:32).
    pub const fn element_mask(id: u64) -> u64 {
        let code = (id >> 32) & 3;
        if code == 3 {
            u64::MAX
        } else {
            (1u64 << (8u64 << code)) - 1
        }
    }
}

/// TDG.VP.ENTER helpers.
pub mod vp_enter {
    /// RCX bits 53:52: the VM to enter.
    pub const fn vm(vm: u32) -> u64 {
        (vm as u64) << 52
    }
    /// The L2→L1 exit reason in RAX bits 31:0.
    pub const fn exit_reason(rax: u64) -> u32 {
        rax as u32
    }
    /// The instruction length in R11 bits 63:32.
    pub const fn instruction_length(r11: u64) -> u32 {
        (r11 >> 32) as u32
    }
    /// TDH.VP.ENTER RCX bit 53: hand an L2 TD exit to L1.
    pub const TDH_VP_ENTER_RESUME_L1: u64 = 1 << 53;
}

/// L2 VMCS fields for [`field::l2_vmcs`]: the element size code in bits 33:32 and the VMCS encoding in
/// bits 15:0 (Specs/l2-vmcs-fields.tsv). The segment fields are consecutive encodings in the order ES, CS,
/// SS, DS, FS, GS, two apart ([`vmcs::segment`]).
pub mod vmcs {
    /// L2 VMCS field VIRTUAL_APIC_ADDRESS (Specs/l2-vmcs-fields.tsv).
    pub const VIRTUAL_APIC_ADDRESS: u64 = 0x0000_0003_0000_2012;
    /// L2 VMCS field POSTED_INTR_DESC_ADDRESS (Specs/l2-vmcs-fields.tsv).
    pub const POSTED_INTR_DESC_ADDRESS: u64 = 0x0000_0003_0000_2016;
    /// L2 VMCS field GUEST_IA32_EFER (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_IA32_EFER: u64 = 0x0000_0003_0000_2806;
    /// L2 VMCS field PIN_BASED_CONTROLS (Specs/l2-vmcs-fields.tsv).
    pub const PIN_BASED_CONTROLS: u64 = 0x0000_0002_0000_4000;
    /// L2 VMCS field PRIMARY_PROC_BASED_CONTROLS (Specs/l2-vmcs-fields.tsv).
    pub const PRIMARY_PROC_BASED_CONTROLS: u64 = 0x0000_0002_0000_4002;
    /// L2 VMCS field VM_ENTRY_CONTROLS (Specs/l2-vmcs-fields.tsv).
    pub const VM_ENTRY_CONTROLS: u64 = 0x0000_0002_0000_4012;
    /// L2 VMCS field VM_ENTRY_INTR_INFO (Specs/l2-vmcs-fields.tsv).
    pub const VM_ENTRY_INTR_INFO: u64 = 0x0000_0002_0000_4016;
    /// L2 VMCS field SECONDARY_PROC_BASED_CONTROLS (Specs/l2-vmcs-fields.tsv).
    pub const SECONDARY_PROC_BASED_CONTROLS: u64 = 0x0000_0002_0000_401E;
    /// L2 VMCS field GUEST_ES_SELECTOR (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_ES_SELECTOR: u64 = 0x0000_0001_0000_0800;
    /// L2 VMCS field GUEST_ES_LIMIT (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_ES_LIMIT: u64 = 0x0000_0002_0000_4800;
    /// L2 VMCS field GUEST_ES_AR (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_ES_AR: u64 = 0x0000_0002_0000_4814;
    /// L2 VMCS field GUEST_ES_BASE (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_ES_BASE: u64 = 0x0000_0003_0000_6806;
    /// L2 VMCS field GUEST_GDTR_LIMIT (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_GDTR_LIMIT: u64 = 0x0000_0002_0000_4810;
    /// L2 VMCS field GUEST_GDTR_BASE (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_GDTR_BASE: u64 = 0x0000_0003_0000_6816;
    /// L2 VMCS field CR0_GUEST_HOST_MASK (Specs/l2-vmcs-fields.tsv).
    pub const CR0_GUEST_HOST_MASK: u64 = 0x0000_0003_0000_6000;
    /// L2 VMCS field CR4_GUEST_HOST_MASK (Specs/l2-vmcs-fields.tsv).
    pub const CR4_GUEST_HOST_MASK: u64 = 0x0000_0003_0000_6002;
    /// L2 VMCS field CR0_READ_SHADOW (Specs/l2-vmcs-fields.tsv).
    pub const CR0_READ_SHADOW: u64 = 0x0000_0003_0000_6004;
    /// L2 VMCS field CR4_READ_SHADOW (Specs/l2-vmcs-fields.tsv).
    pub const CR4_READ_SHADOW: u64 = 0x0000_0003_0000_6006;
    /// L2 VMCS field GUEST_CR0 (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_CR0: u64 = 0x0000_0003_0000_6800;
    /// L2 VMCS field GUEST_CR3 (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_CR3: u64 = 0x0000_0003_0000_6802;
    /// L2 VMCS field GUEST_CR4 (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_CR4: u64 = 0x0000_0003_0000_6804;
    /// L2 VMCS field GUEST_RSP (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_RSP: u64 = 0x0000_0003_0000_681C;
    /// L2 VMCS field GUEST_RIP (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_RIP: u64 = 0x0000_0003_0000_681E;
    /// L2 VMCS field GUEST_RFLAGS (Specs/l2-vmcs-fields.tsv).
    pub const GUEST_RFLAGS: u64 = 0x0000_0003_0000_6820;

    /// A segment register's field: `es_field` (one of the GUEST_ES_* above) for segment `seg` (0 = ES,
    /// 1 = CS, 2 = SS, 3 = DS, 4 = FS, 5 = GS).
    pub const fn segment(es_field: u64, seg: u64) -> u64 {
        es_field + 2 * seg
    }
}

/// VM exit reasons (bits 15:0; bit 31 set when the VM entry failed), SDM Vol. 3D appendix C.
pub mod exit_reason {
    /// VM exit reason CPUID (SDM Vol. 3D appendix C).
    pub const CPUID: u32 = 10;
    /// VM exit reason HLT (SDM Vol. 3D appendix C).
    pub const HLT: u32 = 12;
    /// VM exit reason CR_ACCESS (SDM Vol. 3D appendix C).
    pub const CR_ACCESS: u32 = 28;
    /// VM exit reason IO_INSTRUCTION (SDM Vol. 3D appendix C).
    pub const IO_INSTRUCTION: u32 = 30;
    /// VM exit reason RDMSR (SDM Vol. 3D appendix C).
    pub const RDMSR: u32 = 31;
    /// VM exit reason WRMSR (SDM Vol. 3D appendix C).
    pub const WRMSR: u32 = 32;
    /// VM exit reason ENTRY_FAIL_GUEST_STATE (SDM Vol. 3D appendix C).
    pub const ENTRY_FAIL_GUEST_STATE: u32 = 33;
    /// VM exit reason GDTR_IDTR_ACCESS (SDM Vol. 3D appendix C).
    pub const GDTR_IDTR_ACCESS: u32 = 46;
    /// VM exit reason EPT_VIOLATION (SDM Vol. 3D appendix C).
    pub const EPT_VIOLATION: u32 = 48;
    /// VM exit reason PREEMPTION_TIMER (SDM Vol. 3D appendix C).
    pub const PREEMPTION_TIMER: u32 = 52;
    /// VM exit reason TDCALL (SDM Vol. 3D appendix C).
    pub const TDCALL: u32 = 77;
    /// VM exit reason ENTRY_FAILURE (SDM Vol. 3D appendix C).
    pub const ENTRY_FAILURE: u32 = 1 << 31;
    /// Extended exit qualification (R13) type 6: an EPT violation on a pending page.
    pub const EEQ_TYPE_PENDING_EPT_VIOLATION: u32 = 6;
}
