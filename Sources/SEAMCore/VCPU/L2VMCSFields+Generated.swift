// Generated from Specs/l2-vmcs-fields.tsv by `make generate`. Do not edit: change the table instead.
// swift-format-ignore-file

extension L2VMCSLayout {
    /// The rows of Specs/l2-vmcs-fields.tsv, in file order: encoding, name, size in bits, L1 read mask,
    /// L1 write mask, reset value, attributes.
    public static let fields: [L2VMCSFieldInfo] = [
        L2VMCSFieldInfo(0x0, "VPID", 16, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x2, "POSTED_INTR_NV", 16, 0xFFFF, 0x0, 0xFFFF, []),
        L2VMCSFieldInfo(0x4, "EPTP_INDEX", 16, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x6, "HLAT_PREFIX_SIZE", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x800, "GUEST_ES_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x802, "GUEST_CS_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x804, "GUEST_SS_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x806, "GUEST_DS_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x808, "GUEST_FS_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x80A, "GUEST_GS_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x80C, "GUEST_LDTR_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x80E, "GUEST_TR_SELECTOR", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x810, "GUEST_INTR_STATUS", 16, 0xFFFF, 0xFFFF, 0x0, [.overwrittenOnEntry]),
        L2VMCSFieldInfo(0x812, "PML_INDEX", 16, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x814, "GUEST_UINV", 16, 0xFFFF, 0xFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2000, "IO_BITMAP_A_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2002, "IO_BITMAP_B_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2004, "MSR_BITMAP_ADDRESS", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x2006, "VM_EXIT_MSR_STORE_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2008, "VM_EXIT_MSR_LOAD_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x200A, "VM_ENTRY_MSR_LOAD_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x200C, "EXECUTIVE_VMCS_POINTER", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x200E, "PML_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, [.sharedHPA]),
        L2VMCSFieldInfo(0x2010, "TSC_OFFSET", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x2012, "VIRTUAL_APIC_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFF000, 0xFFFFFFFFFFFFFFFF, [.privateGPA, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x2014, "APIC_ACCESS_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2016, "POSTED_INTR_DESC_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, [.sharedHPA]),
        L2VMCSFieldInfo(0x2018, "VM_FUNCTION_CONTROLS", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x201A, "EPTP", 64, 0xFFF0000000000FFF, 0x80, 0x1E, [.specialWrite]),
        L2VMCSFieldInfo(0x201C, "EOI_EXIT_BITMAP_0", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x201E, "EOI_EXIT_BITMAP_1", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2020, "EOI_EXIT_BITMAP_2", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2022, "EOI_EXIT_BITMAP_3", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2024, "EPTP_LIST_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2026, "VMREAD_BITMAP_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2028, "VMWRITE_BITMAP_ADDRESS", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x202A, "VE_INFO_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, [.privateGPA]),
        L2VMCSFieldInfo(0x202C, "XSS_EXITING_BITMAP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x202E, "ENCLS_EXITING_BITMAP", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2032, "TSC_MULTIPLIER", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x2034, "TERTIARY_PROC_BASED_CONTROLS", 64, 0xFFFFFFFFFFFFFFFF, 0xE, 0x80, [.specialWrite]),
        L2VMCSFieldInfo(0x2036, "ENCLV_EXITING_BITMAP", 64, 0xFFFFFFFFFFFFFFFF, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2038, "PASID_DIR_LOW_ADDRESS", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x203A, "PASID_DIR_HIGH_ADDRESS", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x203C, "SHARED_EPTP", 64, 0x0, 0x0, 0x0, [.sharedHPA, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x203E, "PCONFIG_EXITING_BITMAP", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2040, "HLAT_POINTER", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFF018, 0x0, [.privateGPA]),
        L2VMCSFieldInfo(0x204A, "SPEC_CTRL_MASK", 64, 0x0, 0x0, 0x100, []),
        L2VMCSFieldInfo(0x204C, "SPEC_CTRL_SHADOW", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x2400, "GUEST_PHYSICAL_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2800, "VMCS_LINK_POINTER", 64, 0x0, 0x0, 0xFFFFFFFFFFFFFFFF, []),
        L2VMCSFieldInfo(0x2802, "GUEST_IA32_DEBUGCTL", 64, 0xFFFFFFFFFFFFDFFF, 0xFFC7, 0x0, [.specialWrite]),
        L2VMCSFieldInfo(0x2804, "GUEST_IA32_PAT", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x7040600070406, []),
        L2VMCSFieldInfo(0x2806, "GUEST_IA32_EFER", 64, 0xFFFFFFFFFFFFFFFF, 0x501, 0x901, []),
        L2VMCSFieldInfo(0x2808, "GUEST_IA32_PERF_GLOBAL_CTRL", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFF, []),
        L2VMCSFieldInfo(0x280A, "GUEST_PDPTE0", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.privateGPA]),
        L2VMCSFieldInfo(0x280C, "GUEST_PDPTE1", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.privateGPA]),
        L2VMCSFieldInfo(0x280E, "GUEST_PDPTE2", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.privateGPA]),
        L2VMCSFieldInfo(0x2810, "GUEST_PDPTE3", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.privateGPA]),
        L2VMCSFieldInfo(0x2814, "GUEST_IA32_RTIT_CTL", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2816, "GUEST_IA32_LBR_CTL", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x2818, "GUEST_IA32_PKRS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4000, "PIN_BASED_CONTROLS", 32, 0xFFFFFFFF, 0x0, 0x3F, []),
        L2VMCSFieldInfo(0x4002, "PRIMARY_PROC_BASED_CONTROLS", 32, 0xFFFFFFFF, 0x48D99A04, 0xB5226DFA, [.specialWrite]),
        L2VMCSFieldInfo(0x4004, "EXCEPTION_BITMAP", 32, 0xFFFFFFFF, 0xFFFBFFFF, 0x40000, []),
        L2VMCSFieldInfo(0x4006, "PF_ERROR_CODE_MASK", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4008, "PF_ERROR_CODE_MATCH", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x400A, "CR3_TARGET_COUNT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x400C, "VM_EXIT_CONTROLS", 32, 0xFFFFFFFF, 0x0, 0x1F3FEFFF, []),
        L2VMCSFieldInfo(0x400E, "VM_EXIT_MSR_STORE_COUNT", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4010, "VM_EXIT_MSR_LOAD_COUNT", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4012, "VM_ENTRY_CONTROLS", 32, 0xFFFFFFFF, 0x200, 0x3ED1FF, []),
        L2VMCSFieldInfo(0x4014, "VM_ENTRY_MSR_LOAD_COUNT", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4016, "VM_ENTRY_INTR_INFO", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4018, "VM_ENTRY_EXCEPTION_ERROR_CODE", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x401A, "VM_ENTRY_INSTRUCTION_LENGTH", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x401C, "TPR_THRESHOLD", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x401E, "SECONDARY_PROC_BASED_CONTROLS", 32, 0xFFFFFFFF, 0xC513E0C, 0x1338B3FA, [.specialWrite]),
        L2VMCSFieldInfo(0x4020, "PLE_GAP", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, [.specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x4022, "PLE_WINDOW", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, [.specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x4024, "INSTRUCTION_TIMEOUT_CONTROL", 32, 0xFFFFFFFF, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4026, "TD_HKID", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4400, "VM_INSTRUCTION_ERROR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4402, "EXIT_REASON", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4404, "VM_EXIT_INTR_INFO", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4406, "VM_EXIT_INTR_ERROR_CODE", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4408, "IDT_VECTORING_INFO", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x440A, "IDT_VECTORING_ERROR_CODE", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x440C, "VM_EXIT_INSTRUCTION_LENGTH", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x440E, "VM_EXIT_INSTRUCTION_INFO", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4800, "GUEST_ES_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x4802, "GUEST_CS_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x4804, "GUEST_SS_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x4806, "GUEST_DS_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x4808, "GUEST_FS_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x480A, "GUEST_GS_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, []),
        L2VMCSFieldInfo(0x480C, "GUEST_LDTR_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, []),
        L2VMCSFieldInfo(0x480E, "GUEST_TR_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, []),
        L2VMCSFieldInfo(0x4810, "GUEST_GDTR_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, []),
        L2VMCSFieldInfo(0x4812, "GUEST_IDTR_LIMIT", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4814, "GUEST_ES_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC093, []),
        L2VMCSFieldInfo(0x4816, "GUEST_CS_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC09B, []),
        L2VMCSFieldInfo(0x4818, "GUEST_SS_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC093, []),
        L2VMCSFieldInfo(0x481A, "GUEST_DS_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC093, []),
        L2VMCSFieldInfo(0x481C, "GUEST_FS_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC093, []),
        L2VMCSFieldInfo(0x481E, "GUEST_GS_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0xC093, []),
        L2VMCSFieldInfo(0x4820, "GUEST_LDTR_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x10082, []),
        L2VMCSFieldInfo(0x4822, "GUEST_TR_AR", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x8B, []),
        L2VMCSFieldInfo(0x4824, "GUEST_INTERRUPTIBILITY", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x4826, "GUEST_ACTIVITY_STATE", 32, 0xFFFFFFFF, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x4828, "GUEST_SMBASE", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x482A, "GUEST_IA32_SYSENTER_CS", 32, 0xFFFFFFFF, 0xFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x482E, "VMX_PREEMPTION_TIMER_VALUE", 32, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x6000, "CR0_GUEST_HOST_MASK", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.crMask, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6002, "CR4_GUEST_HOST_MASK", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, [.crMask, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6004, "CR0_READ_SHADOW", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x21, [.crShadow, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6006, "CR4_READ_SHADOW", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x2040, [.crShadow, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6008, "CR3_TARGET_VALUE_0", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x600A, "CR3_TARGET_VALUE_1", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x600C, "CR3_TARGET_VALUE_2", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x600E, "CR3_TARGET_VALUE_3", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6400, "EXIT_QUALIFICATION", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6402, "IO_RCX", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6404, "IO_RSI", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6406, "IO_RDI", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6408, "IO_RIP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x640A, "GUEST_LINEAR_ADDRESS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6800, "GUEST_CR0", 64, 0xFFFFFFFFFFFFFFFF, 0x8005001F, 0x21, [.guestCR0, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6802, "GUEST_CR3", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, [.privateGPA]),
        L2VMCSFieldInfo(0x6804, "GUEST_CR4", 64, 0xFFFFFFFFFFFFFFFF, 0x3FF1FBF, 0x2040, [.guestCR4, .specialRead, .specialWrite]),
        L2VMCSFieldInfo(0x6806, "GUEST_ES_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6808, "GUEST_CS_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x680A, "GUEST_SS_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x680C, "GUEST_DS_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x680E, "GUEST_FS_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6810, "GUEST_GS_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6812, "GUEST_LDTR_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6814, "GUEST_TR_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6816, "GUEST_GDTR_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6818, "GUEST_IDTR_BASE", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x681A, "GUEST_DR7", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x400, []),
        L2VMCSFieldInfo(0x681C, "GUEST_RSP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, [.overwrittenOnEntry]),
        L2VMCSFieldInfo(0x681E, "GUEST_RIP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFF0, [.overwrittenOnEntry]),
        L2VMCSFieldInfo(0x6820, "GUEST_RFLAGS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x2, [.overwrittenOnEntry]),
        L2VMCSFieldInfo(0x6822, "GUEST_PENDING_DEBUG_EXCEPTIONS", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6824, "GUEST_IA32_SYSENTER_ESP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6826, "GUEST_IA32_SYSENTER_EIP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6828, "GUEST_IA32_S_CET", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x682A, "GUEST_SSP", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, [.overwrittenOnEntry]),
        L2VMCSFieldInfo(0x682C, "GUEST_INTR_SSP_TABLE_ADDR", 64, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x0, []),
        L2VMCSFieldInfo(0x6C08, "HOST_GS_BASE", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x6C14, "HOST_RSP", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x6C16, "HOST_RIP", 64, 0x0, 0x0, 0x0, []),
        L2VMCSFieldInfo(0x6C1A, "HOST_SSP", 64, 0x0, 0x0, 0x0, []),
    ]
}

/// The row of each field in `L2VMCSLayout.fields`, by its table name: constants, so the hot paths index
/// a VMCS without a lookup or a lazy-initialisation check.
public enum L2VMCSRow {
    /// Number of rows.
    @inlinable public static var count: Int { 154 }
    @inlinable public static var vpid: Int { 0 }
    @inlinable public static var postedIntrNv: Int { 1 }
    @inlinable public static var eptpIndex: Int { 2 }
    @inlinable public static var hlatPrefixSize: Int { 3 }
    @inlinable public static var guestEsSelector: Int { 4 }
    @inlinable public static var guestCsSelector: Int { 5 }
    @inlinable public static var guestSsSelector: Int { 6 }
    @inlinable public static var guestDsSelector: Int { 7 }
    @inlinable public static var guestFsSelector: Int { 8 }
    @inlinable public static var guestGsSelector: Int { 9 }
    @inlinable public static var guestLdtrSelector: Int { 10 }
    @inlinable public static var guestTrSelector: Int { 11 }
    @inlinable public static var guestIntrStatus: Int { 12 }
    @inlinable public static var pmlIndex: Int { 13 }
    @inlinable public static var guestUinv: Int { 14 }
    @inlinable public static var ioBitmapAAddress: Int { 15 }
    @inlinable public static var ioBitmapBAddress: Int { 16 }
    @inlinable public static var msrBitmapAddress: Int { 17 }
    @inlinable public static var vmExitMsrStoreAddress: Int { 18 }
    @inlinable public static var vmExitMsrLoadAddress: Int { 19 }
    @inlinable public static var vmEntryMsrLoadAddress: Int { 20 }
    @inlinable public static var executiveVmcsPointer: Int { 21 }
    @inlinable public static var pmlAddress: Int { 22 }
    @inlinable public static var tscOffset: Int { 23 }
    @inlinable public static var virtualApicAddress: Int { 24 }
    @inlinable public static var apicAccessAddress: Int { 25 }
    @inlinable public static var postedIntrDescAddress: Int { 26 }
    @inlinable public static var vmFunctionControls: Int { 27 }
    @inlinable public static var eptp: Int { 28 }
    @inlinable public static var eoiExitBitmap0: Int { 29 }
    @inlinable public static var eoiExitBitmap1: Int { 30 }
    @inlinable public static var eoiExitBitmap2: Int { 31 }
    @inlinable public static var eoiExitBitmap3: Int { 32 }
    @inlinable public static var eptpListAddress: Int { 33 }
    @inlinable public static var vmreadBitmapAddress: Int { 34 }
    @inlinable public static var vmwriteBitmapAddress: Int { 35 }
    @inlinable public static var veInfoAddress: Int { 36 }
    @inlinable public static var xssExitingBitmap: Int { 37 }
    @inlinable public static var enclsExitingBitmap: Int { 38 }
    @inlinable public static var tscMultiplier: Int { 39 }
    @inlinable public static var tertiaryProcBasedControls: Int { 40 }
    @inlinable public static var enclvExitingBitmap: Int { 41 }
    @inlinable public static var pasidDirLowAddress: Int { 42 }
    @inlinable public static var pasidDirHighAddress: Int { 43 }
    @inlinable public static var sharedEptp: Int { 44 }
    @inlinable public static var pconfigExitingBitmap: Int { 45 }
    @inlinable public static var hlatPointer: Int { 46 }
    @inlinable public static var specCtrlMask: Int { 47 }
    @inlinable public static var specCtrlShadow: Int { 48 }
    @inlinable public static var guestPhysicalAddress: Int { 49 }
    @inlinable public static var vmcsLinkPointer: Int { 50 }
    @inlinable public static var guestIa32Debugctl: Int { 51 }
    @inlinable public static var guestIa32Pat: Int { 52 }
    @inlinable public static var guestIa32Efer: Int { 53 }
    @inlinable public static var guestIa32PerfGlobalCtrl: Int { 54 }
    @inlinable public static var guestPdpte0: Int { 55 }
    @inlinable public static var guestPdpte1: Int { 56 }
    @inlinable public static var guestPdpte2: Int { 57 }
    @inlinable public static var guestPdpte3: Int { 58 }
    @inlinable public static var guestIa32RtitCtl: Int { 59 }
    @inlinable public static var guestIa32LbrCtl: Int { 60 }
    @inlinable public static var guestIa32Pkrs: Int { 61 }
    @inlinable public static var pinBasedControls: Int { 62 }
    @inlinable public static var primaryProcBasedControls: Int { 63 }
    @inlinable public static var exceptionBitmap: Int { 64 }
    @inlinable public static var pfErrorCodeMask: Int { 65 }
    @inlinable public static var pfErrorCodeMatch: Int { 66 }
    @inlinable public static var cr3TargetCount: Int { 67 }
    @inlinable public static var vmExitControls: Int { 68 }
    @inlinable public static var vmExitMsrStoreCount: Int { 69 }
    @inlinable public static var vmExitMsrLoadCount: Int { 70 }
    @inlinable public static var vmEntryControls: Int { 71 }
    @inlinable public static var vmEntryMsrLoadCount: Int { 72 }
    @inlinable public static var vmEntryIntrInfo: Int { 73 }
    @inlinable public static var vmEntryExceptionErrorCode: Int { 74 }
    @inlinable public static var vmEntryInstructionLength: Int { 75 }
    @inlinable public static var tprThreshold: Int { 76 }
    @inlinable public static var secondaryProcBasedControls: Int { 77 }
    @inlinable public static var pleGap: Int { 78 }
    @inlinable public static var pleWindow: Int { 79 }
    @inlinable public static var instructionTimeoutControl: Int { 80 }
    @inlinable public static var tdHkid: Int { 81 }
    @inlinable public static var vmInstructionError: Int { 82 }
    @inlinable public static var exitReason: Int { 83 }
    @inlinable public static var vmExitIntrInfo: Int { 84 }
    @inlinable public static var vmExitIntrErrorCode: Int { 85 }
    @inlinable public static var idtVectoringInfo: Int { 86 }
    @inlinable public static var idtVectoringErrorCode: Int { 87 }
    @inlinable public static var vmExitInstructionLength: Int { 88 }
    @inlinable public static var vmExitInstructionInfo: Int { 89 }
    @inlinable public static var guestEsLimit: Int { 90 }
    @inlinable public static var guestCsLimit: Int { 91 }
    @inlinable public static var guestSsLimit: Int { 92 }
    @inlinable public static var guestDsLimit: Int { 93 }
    @inlinable public static var guestFsLimit: Int { 94 }
    @inlinable public static var guestGsLimit: Int { 95 }
    @inlinable public static var guestLdtrLimit: Int { 96 }
    @inlinable public static var guestTrLimit: Int { 97 }
    @inlinable public static var guestGdtrLimit: Int { 98 }
    @inlinable public static var guestIdtrLimit: Int { 99 }
    @inlinable public static var guestEsAr: Int { 100 }
    @inlinable public static var guestCsAr: Int { 101 }
    @inlinable public static var guestSsAr: Int { 102 }
    @inlinable public static var guestDsAr: Int { 103 }
    @inlinable public static var guestFsAr: Int { 104 }
    @inlinable public static var guestGsAr: Int { 105 }
    @inlinable public static var guestLdtrAr: Int { 106 }
    @inlinable public static var guestTrAr: Int { 107 }
    @inlinable public static var guestInterruptibility: Int { 108 }
    @inlinable public static var guestActivityState: Int { 109 }
    @inlinable public static var guestSmbase: Int { 110 }
    @inlinable public static var guestIa32SysenterCs: Int { 111 }
    @inlinable public static var vmxPreemptionTimerValue: Int { 112 }
    @inlinable public static var cr0GuestHostMask: Int { 113 }
    @inlinable public static var cr4GuestHostMask: Int { 114 }
    @inlinable public static var cr0ReadShadow: Int { 115 }
    @inlinable public static var cr4ReadShadow: Int { 116 }
    @inlinable public static var cr3TargetValue0: Int { 117 }
    @inlinable public static var cr3TargetValue1: Int { 118 }
    @inlinable public static var cr3TargetValue2: Int { 119 }
    @inlinable public static var cr3TargetValue3: Int { 120 }
    @inlinable public static var exitQualification: Int { 121 }
    @inlinable public static var ioRcx: Int { 122 }
    @inlinable public static var ioRsi: Int { 123 }
    @inlinable public static var ioRdi: Int { 124 }
    @inlinable public static var ioRip: Int { 125 }
    @inlinable public static var guestLinearAddress: Int { 126 }
    @inlinable public static var guestCr0: Int { 127 }
    @inlinable public static var guestCr3: Int { 128 }
    @inlinable public static var guestCr4: Int { 129 }
    @inlinable public static var guestEsBase: Int { 130 }
    @inlinable public static var guestCsBase: Int { 131 }
    @inlinable public static var guestSsBase: Int { 132 }
    @inlinable public static var guestDsBase: Int { 133 }
    @inlinable public static var guestFsBase: Int { 134 }
    @inlinable public static var guestGsBase: Int { 135 }
    @inlinable public static var guestLdtrBase: Int { 136 }
    @inlinable public static var guestTrBase: Int { 137 }
    @inlinable public static var guestGdtrBase: Int { 138 }
    @inlinable public static var guestIdtrBase: Int { 139 }
    @inlinable public static var guestDr7: Int { 140 }
    @inlinable public static var guestRsp: Int { 141 }
    @inlinable public static var guestRip: Int { 142 }
    @inlinable public static var guestRflags: Int { 143 }
    @inlinable public static var guestPendingDebugExceptions: Int { 144 }
    @inlinable public static var guestIa32SysenterEsp: Int { 145 }
    @inlinable public static var guestIa32SysenterEip: Int { 146 }
    @inlinable public static var guestIa32SCet: Int { 147 }
    @inlinable public static var guestSsp: Int { 148 }
    @inlinable public static var guestIntrSspTableAddr: Int { 149 }
    @inlinable public static var hostGsBase: Int { 150 }
    @inlinable public static var hostRsp: Int { 151 }
    @inlinable public static var hostRip: Int { 152 }
    @inlinable public static var hostSsp: Int { 153 }
}
