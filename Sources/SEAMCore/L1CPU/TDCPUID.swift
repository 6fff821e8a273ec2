/// The CPUID values L1 reads from its vCPU in SoftSEAM: a small fixed configuration standing in for the
/// TD's CPUID configuration, which the module builds at TDH.MNG.INIT from TD_PARAMS and the platform
/// (module `include/auto_gen/cpuid_configurations.c`, `td_dispatcher/vm_exits/td_cpuid.c`).
///
/// SoftSEAM has no per-TD CPUID configuration yet, so it defines only the leaves below, with the values
/// the module fixes where it fixes them; every other leaf answers #VE, as a leaf the module's table does
/// not list does (module `td_cpuid_exit`). The module itself answers more leaves (4, 7, 0xA, 0xD, 0x1F,
/// 0x80000000–0x80000008…) with configured values; those are SoftSEAM gaps.
///
/// | leaf, subleaf | EAX | EBX | ECX | EDX | source |
/// |---|---|---|---|---|---|
/// | 0, any | 0x23 | "Genu" | "ntel" | "ineI" | max base leaf fixed to 0x23; vendor checked to be GenuineIntel |
/// | 1, any | 0x000806F8 | APIC id = vCPU index << 24, CLFLUSH size 8 << 8 | bit 31 (hypervisor) | bit 9 (APIC) | fixed-1 bits; the rest SoftSEAM's platform |
/// | 0x21, 0 | 0 | "Inte" | "    " | "lTDX" | fixed: the TDX vendor string "IntelTDX    " in EBX, EDX, ECX |
///
/// Leaf 1's EAX is SoftSEAM's processor signature (family 6, model 0x8F, stepping 8: a Sapphire Rapids
/// part, the first TDX platform); its ECX.OSXSAVE (bit 27), which the module copies from the guest's
/// CR4.OSXSAVE, is 0 because SoftSEAM does not model L1's CR4. Leaf 1 enumerates neither MONITOR (ECX bit
/// 3), DCA (18) nor TSC deadline (24), and leaf 7 is not defined, so the TD has none of the CPUID-derived
/// features the module's MSR handling looks at (TSX, WAITPKG, TME, MKTME/PCONFIG, XFD).
public enum TDCPUID {
    /// The highest base leaf; the module fixes leaf 0's EAX to it (`CPUID_LAST_BASE_LEAF`).
    public static let maxBaseLeaf: UInt32 = 0x23
    /// The highest extended leaf of SoftSEAM's platform (the module's minimum, `CPUID_LAST_EXTENDED_LEAF`).
    public static let lastExtendedLeaf: UInt32 = 0x8000_0008
    /// Leaf 1 EAX: family 6, model 0x8F, stepping 8.
    public static let signature: UInt32 = 0x0008_06F8

    /// The leaf the module answers for `leaf`: a leaf above the last of its range, outside the reserved
    /// hypervisor range 0x40000000…0x4FFFFFFF, is answered as the last base leaf (`td_cpuid_exit`).
    public static func effectiveLeaf(_ leaf: UInt32) -> UInt32 {
        let reserved = leaf >= 0x4000_0000 && leaf <= 0x4FFF_FFFF
        guard !reserved, leaf > lastExtendedLeaf || (leaf > maxBaseLeaf && leaf < 0x8000_0000) else { return leaf }
        return maxBaseLeaf
    }

    /// The values of (`leaf`, `subleaf`) for the vCPU with index `vcpuIndex`, or nil when SoftSEAM does not
    /// define the leaf (the module then injects #VE). `leaf` is the effective leaf.
    public static func values(
        leaf: UInt32, subleaf: UInt32, vcpuIndex: Int
    ) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32)? {
        switch (leaf, subleaf) {
        case (0, _):
            return (maxBaseLeaf, 0x756E_6547, 0x6C65_746E, 0x4965_6E69)  // "Genu" "ntel" "ineI"
        case (1, _):
            let ebx = UInt32(truncatingIfNeeded: vcpuIndex) << 24 | 8 << 8
            return (signature, ebx, 1 << 31, 1 << 9)
        case (0x21, 0):
            return (0, 0x6574_6E49, 0x2020_2020, 0x5844_546C)  // "Inte" "    " "lTDX"
        default:
            return nil
        }
    }
}
