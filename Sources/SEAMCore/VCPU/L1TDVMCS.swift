import SEAMTypes

/// The fields of L1's own TD VMCS that the host writes with TDH.VP.WR (module
/// `include/auto_gen/td_vmcs_fields_lookup.c`, class 0 of the TDVPS, and `src/common/metadata_handlers/metadata_vp.c`):
/// the posted-interrupt notification vector (0x0002), the posted-interrupt descriptor address (0x2016) and the
/// pin-based VM-execution controls (0x4000), whose bit 7 "process posted interrupts" is the only bit the host
/// writes. They decide posted-interrupt delivery to L1 (`Machine.postInterrupt`): the module keeps shadow copies
/// of them for its L2 path, which only these host writes update; SoftSEAM keeps one copy, which is the same.
///
/// Reset values as the module's TD VMCS initialisation leaves them (`src/common/data_structures/td_vmcs_init.c`,
/// `src/common/x86_defs/vmcs_defs.h`): vector 0xFFFF (POSTED_INTERRUPT_NOTFICATION_VECTOR_INIT, "not set"),
/// descriptor address all ones (NULL_PA), pin-based controls 0x29 (PINBASED_CTLS_INIT: external-interrupt
/// exiting, NMI exiting, virtual NMIs).
///
/// Hashed as records of the vCPU digest that are absent while a field holds its reset value (`hashRecords`),
/// so a vCPU whose TD VMCS the host never wrote hashes as before the fields existed.
public struct L1TDVMCS: Hashable, Sendable, Codable {
    /// POSTED_INTERRUPT_NOTIFICATION_VECTOR (16-bit).
    public var postedInterruptVector: UInt16 = L1TDVMCS.vectorNotSet
    /// POSTED_INTERRUPT_DESCRIPTOR_ADDRESS (64-bit shared HPA).
    public var pidAddress: UInt64 = ~0
    /// PIN_BASED_VM_EXECUTION_CONTROLS (32-bit).
    public var pinBasedControls: UInt32 = 0x29

    /// The vector's initial, illegal value.
    public static let vectorNotSet: UInt16 = 0xFFFF

    public init() {}

    /// Sum of the hash records (kind 8 of `StateHash.vcpuKey`, item = field encoding) of the fields that differ
    /// from reset: 0 for a vCPU whose TD VMCS the host never wrote.
    func hashRecords(vcpu: Int) -> UInt64 {
        guard self != L1TDVMCS() else { return 0 }
        let reset = L1TDVMCS()
        var d: UInt64 = 0
        func add(_ encoding: Int, _ w: UInt64, _ r: UInt64) {
            if w != r {
                d &+= StateHash.vcpuRecordHash(StateHash.vcpuKey(kind: 8, vcpu: vcpu, vm: 0, item: encoding), w)
            }
        }
        add(0x0002, UInt64(postedInterruptVector), UInt64(reset.postedInterruptVector))
        add(0x2016, pidAddress, reset.pidAddress)
        add(0x4000, UInt64(pinBasedControls), UInt64(reset.pinBasedControls))
        return d
    }
}
