import SEAMTypes

/// The virtualization-exception information the module keeps per vCPU for L1 (TDVPS VE_INFO, module
/// `src/common/data_structures/tdx_tdvps.h` `tdvps_ve_info_t`): what the last #VE reported, until L1 reads it
/// with TDG.VP.VEINFO.GET.
///
///     #VE cause ──VALID = 0?──yes──▶ fill the fields, VALID = 0xFFFFFFFF, inject #VE (vector 20)
///                             no───▶ leave the fields, inject #DF (vector 8)
///     TDG.VP.VEINFO.GET ──VALID ≠ 0?──▶ RCX…R10 from the fields, VALID = 0 (the fields stay)
///
/// The module fills it in `tdx_inject_ve` (`src/td_dispatcher/vm_exits/td_other_exits.c`): exit reason and
/// qualification of the exit that became the #VE, the GLA and GPA its caller passes (an EPT violation on a
/// PENDING page passes both; CPUID, RDMSR and WRMSR pass 0), and the EPTP index, instruction length and
/// instruction information from the TD VMCS. SoftSEAM has no instruction stream: the instruction length is 2
/// for CPUID, RDMSR and WRMSR (each is two bytes, 0F A2 / 0F 32 / 0F 30) and 0 for a memory access, the
/// instruction information 0 and the EPTP index 0 (L1 runs with EPTP index 0).
///
/// Hashed as records of the vCPU digest that are absent while a field is 0 (`hashRecords`), so a vCPU that
/// never took a #VE hashes as before the field existed.
public struct VEInfo: Hashable, Sendable, Codable {
    /// The exit reason (bits 31:0 of the VMX exit reason).
    public var exitReason: UInt32 = 0
    /// 0xFFFFFFFF while the contents are valid (not yet read), 0 otherwise.
    public var valid: UInt32 = 0
    public var exitQualification: UInt64 = 0
    public var gla: UInt64 = 0
    public var gpa: UInt64 = 0
    public var eptpIndex: UInt16 = 0
    public var instructionLength: UInt32 = 0
    public var instructionInfo: UInt32 = 0

    /// The VALID value the module writes when it fills the fields (`VE_INFO_CONTENTS_VALID`).
    public static let validContents: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Whether the contents are valid (not yet read by TDG.VP.VEINFO.GET).
    public var isValid: Bool { valid != 0 }

    /// R10 of TDG.VP.VEINFO.GET: instruction length in bits 31:0, instruction information in bits 63:32.
    public var instructionLengthAndInfo: UInt64 { UInt64(instructionLength) | UInt64(instructionInfo) << 32 }

    /// Sum of the hash records of the words that are not 0 (kind 7 of `StateHash.vcpuKey`): 0 for a vCPU
    /// that never took a #VE.
    func hashRecords(vcpu: Int) -> UInt64 {
        guard self != VEInfo() else { return 0 }  // the common case: no #VE yet, nothing to add
        var d: UInt64 = 0
        func add(_ item: Int, _ w: UInt64) {
            if w != 0 { d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 7, vcpu: vcpu, vm: 0, item: item), w) }
        }
        add(0, UInt64(exitReason) | UInt64(valid) << 32)
        add(1, exitQualification)
        add(2, gla)
        add(3, gpa)
        add(4, UInt64(eptpIndex))
        add(5, instructionLengthAndInfo)
        return d
    }
}
