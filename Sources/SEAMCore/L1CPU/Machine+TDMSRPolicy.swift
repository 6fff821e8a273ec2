import SEAMTypes

/// The TD's own MSR policy, shared by L1 and the L2 VMs: the TD's MSR bitmap (module `tdh_mng_init.c` builds
/// it from the MSR spreadsheet, `include/auto_gen/msr_config_lookup.c`, with the dynamic bits resolved for
/// this TD's ATTRIBUTES, XFAM and CPUID) and the values of the MSRs the module emulates
/// (`src/td_dispatcher/vm_exits/td_msr_access.c`). For an L2 VM the CPU uses that bitmap OR L1's shadow
/// bitmap (module `src/common/metadata_handlers/metadata_vp.c`, the MSR-bitmap write).
extension Machine {
    /// Whether the TD's MSR bitmap makes a read (or write) of `msr` exit to the module: outside the bitmap
    /// ranges always; an MSR in no spreadsheet row always (the spreadsheet leaves out the "fixed 1, #VE"
    /// rows); otherwise the row's bit for this TD (`exits`). Inlined: out of line, L2's WRMSR (msrAccess)
    /// copied the whole machine to call it (inject_deliver_eoi, callgrind).
    @inline(__always)
    func tdInterceptsMSR(_ msr: UInt32, write: Bool) -> Bool {
        guard L1MSRRule.isCoveredByBitmap(msr), let row = L1MSRRule.row(for: msr) else { return true }
        return exits(write ? row.write.bit : row.read.bit, msr)
    }

    /// The TD's virtual IA32_ARCH_CAPABILITIES (module `src/common/helpers/virt_msr_helpers.c`,
    /// `init_virt_ia32_arch_capabilities`, run by TDH.MNG.INIT): the platform's value with SSB_NO (4), BHI_NO
    /// (20) and PBRSB_NO (24) cleared (SoftSEAM's TD_PARAMS configure none of them), TSX_CTRL (7) cleared
    /// (`TDCPUID` enumerates no TSX), bits 9–11, 16–18, 21–23 and 63:25 cleared, RRSBA (19) as the platform
    /// has it. On SoftSEAM's platform (`PlatformMSRs.archCapabilities`, 0x0112E1FB) that is 0xE16B.
    var virtualArchCapabilities: UInt64 {
        let cleared: UInt64 =
            1 << 4 | 1 << 7 | 0b111 << 9 | 0b111 << 16 | 1 << 20 | 0b111 << 21 | 1 << 24 | .mask(63, 25)
        return PlatformMSRs.archCapabilities & ~cleared
    }

    /// The value the module's RDMSR handler gives for `msr` when the TD's bitmap makes the read exit, or nil
    /// when the module has no value handler for it (module `td_msr_access.c`, `td_rdmsr_exit`): the L1 and
    /// L2 answers both come from here. IA32_XAPIC_DISABLE_STATUS: LEGACY_XAPIC_DISABLED (1);
    /// IA32_ARCH_CAPABILITIES: `virtualArchCapabilities`; IA32_MISC_ENABLE (exits only without PERFMON): the
    /// platform's value with PERFMON_AVAILABLE (7) cleared and PEBS_UNAVAILABLE (12) set;
    /// IA32_PERF_CAPABILITIES: 0 without PERFMON, else the platform's value less PEBS_OUTPUT_PT_AVAIL (16).
    func moduleMSRValue(_ msr: UInt32) -> UInt64? {
        switch msr {
        case 0xBD: return 1
        case 0x10A: return virtualArchCapabilities
        case 0x1A0: return PlatformMSRs.miscEnable & ~(1 << 7) | 1 << 12
        case 0x345:
            return TDAttributes(attributes).contains(.perfmon) ? PlatformMSRs.perfCapabilities & ~(1 << 16) : 0
        default: return nil
        }
    }
}

/// Native MSR values of SoftSEAM's platform that the module's MSR handlers start from (what the module samples
/// at TDH.SYS.INIT or reads with RDMSR). A different platform changes only these constants.
enum PlatformMSRs {
    /// IA32_ARCH_CAPABILITIES (0x10A): RDCL_NO, IBRS_ALL, SKIP_L1DFL_VMENTRY, SSB_NO, MDS_NO,
    /// IF_PSCHANGE_MC_NO, TSX_CTRL, TAA_NO, SBDR_SSDP_NO, FBSDP_NO, PSDP_NO, FB_CLEAR, BHI_NO, PBRSB_NO
    /// (bits 0, 1, 3–8, 13–15, 17, 20, 24; Intel SDM Vol. 4, Table 2-2).
    static let archCapabilities: UInt64 = 0x0112_E1FB
    /// IA32_MISC_ENABLE (0x1A0): SoftSEAM keeps no native value, so 0.
    static let miscEnable: UInt64 = 0
    /// IA32_PERF_CAPABILITIES (0x345): SoftSEAM keeps no native value, so 0.
    static let perfCapabilities: UInt64 = 0
    /// The state components IA32_XSS supports (CPUID.(EAX=0DH,ECX=1):EDX:ECX): PT (8), CET_U (11), CET_S
    /// (12), ULI (14), LBR (15).
    static let xssSupported: UInt64 = 0xD900
}
