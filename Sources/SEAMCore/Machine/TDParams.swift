import SEAMTypes

/// The TD_PARAMS fields a config may set — ATTRIBUTES, XFAM, CONFIG_FLAGS — with the checks TDH.MNG.INIT
/// applies to them (module `src/vmm_dispatcher/api_calls/tdh_mng_init.c` `read_and_set_td_configurations`;
/// `src/common/helpers/helpers.c` `verify_td_attributes`, `check_xfam`, `verify_td_config_flags`; the fixed
/// masks of `src/common/data_structures/td_control_structures.h`, as Specs/global-metadata.tsv reports them).
public enum TDParams {
    /// ATTRIBUTES bits by name (include/tdx_api_defs.h `td_param_attributes_t`).
    public static let attributeBits: [(name: String, bit: UInt64)] = [
        ("DEBUG", 0), ("SEPT_VE_DISABLE", 28), ("MIGRATABLE", 29), ("PKS", 30), ("KL", 31), ("PERFMON", 63),
    ]
    /// CONFIG_FLAGS bits by name (include/tdx_api_defs.h `config_flags_t`).
    public static let configFlagBits: [(name: String, bit: UInt64)] = [
        ("GPAW", 0), ("FLEXIBLE_PENDING_VE", 1), ("NO_RBP_MOD", 2),
    ]

    /// ATTRIBUTES_FIXED0: the bits a TD may set (DEBUG, SEPT_VE_DISABLE, MIGRATABLE, PKS, PERFMON).
    public static let attributesFixed0: UInt64 = 1 << 63 | 1 << 30 | 1 << 29 | 1 << 28 | 1
    /// CONFIG_FLAGS_FIXED0: GPAW, FLEXIBLE_PENDING_VE, NO_RBP_MOD (a platform with MAX_PA > 48 keeps GPAW).
    public static let configFlagsFixed0: UInt64 = 0x7
    /// XFAM_FIXED1: x87 and SSE are required.
    public static let xfamFixed1: UInt64 = 0x3

    /// The first TDH.MNG.INIT rule the values break, as (config key, rule), or nil when the module accepts them.
    /// `xfamFixed0` is the platform's XFAM_FIXED0 (TDX_XFAM_FIXED0 & the CPU's XCR0|XSS support).
    public static func violation(
        attributes: UInt64, xfam: UInt64, configFlags: UInt64, gpaw: GPAWidth, xfamFixed0: UInt64
    )
        -> (key: String, rule: String)?
    {
        // read_and_set_td_configurations: ATTRIBUTES first, then XFAM, then CONFIG_FLAGS.
        if attributes & ~attributesFixed0 != 0 {
            return (
                "attributes",
                "bits 0x\(String(attributes & ~attributesFixed0, radix: 16)) are not allowed (ATTRIBUTES_FIXED0 = "
                    + "0x\(String(attributesFixed0, radix: 16)): DEBUG, SEPT_VE_DISABLE, MIGRATABLE, PKS, PERFMON)"
            )
        }
        if attributes & 1 << 29 != 0 && attributes & (1 | 1 << 63) != 0 {
            return ("attributes", "a MIGRATABLE TD cannot be DEBUG or have PERFMON")
        }
        if xfam & ~xfamFixed0 != 0 {
            return (
                "xfam",
                "bits 0x\(String(xfam & ~xfamFixed0, radix: 16)) are not allowed (XFAM_FIXED0 = 0x\(String(xfamFixed0, radix: 16)))"
            )
        }
        if xfam & xfamFixed1 != xfamFixed1 {
            return ("xfam", "bits 0 and 1 (x87, SSE) are required (XFAM_FIXED1 = 0x3)")
        }
        let bit = { (n: UInt64) in xfam >> n & 1 }
        if bit(5) == 1 && bit(2) == 0 { return ("xfam", "AVX-512 (bits 7:5) needs AVX (bit 2)") }
        if bit(5) != bit(6) || bit(5) != bit(7) {
            return ("xfam", "AVX-512 bits 5, 6 and 7 must be all set or all clear")
        }
        if bit(11) != bit(12) { return ("xfam", "CET bits 11 (user) and 12 (supervisor) must be equal") }
        if bit(17) != bit(18) { return ("xfam", "AMX bits 17 (XTILECFG) and 18 (XTILEDATA) must be equal") }
        if configFlags & ~configFlagsFixed0 != 0 {
            return (
                "config_flags",
                "bits 0x\(String(configFlags & ~configFlagsFixed0, radix: 16)) are not allowed (CONFIG_FLAGS_FIXED0 = 0x7: "
                    + "GPAW, FLEXIBLE_PENDING_VE, NO_RBP_MOD)"
            )
        }
        if configFlags & 1 != gpaw.control {
            return ("config_flags", "GPAW (bit 0) must be \(gpaw.control) for gpaw \(gpaw.bits)")
        }
        return nil
    }
}
