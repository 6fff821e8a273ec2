import SEAMTypes

/// The metadata fields an L1 names in TDG.VM.RD and TDG.VP.RD/WR, as the model holds them: what
/// `softseam generate` writes into softseam_defs.h, so the C constants are the model's own ids.
package enum L1MetadataFields {
    /// One field: its ABI name, the id of element 0, the number of elements (consecutive field codes) and the
    /// bits L1 may read and write.
    package struct Field: Sendable {
        package let name: String
        package let id: UInt64
        package let elements: Int
        package let readMask: UInt64
        package let writeMask: UInt64
    }

    /// The TD-scope fields L1 may read with TDG.VM.RD (a non-zero guest read mask), in the module's table order.
    package static var td: [Field] {
        TDField.all.filter(\.guestReadable).map {
            Field(name: $0.name, id: $0.id, elements: $0.elements, readMask: $0.readMask, writeMask: 0)
        }
    }

    /// The TDVPS management fields (class 32) SoftSEAM models, in field-code order; the per-VM ones have one
    /// element per VM index 0…3.
    package static var vpManagement: [Field] {
        VPField.Management.allCases.map { m in
            Field(
                name: m.abiName, id: VPField.management(m, vm: 0).id, elements: Int(m.elements), readMask: m.readMask,
                writeMask: m.writeMask)
        }
    }
}

extension VPField.Management {
    /// The field's name in the module's TDVPS table.
    var abiName: String {
        switch self {
        case .vcpuIndex: "VCPU_INDEX"
        case .cpuidSupervisorVE: "CPUID_SUPERVISOR_VE"
        case .cpuidUserVE: "CPUID_USER_VE"
        case .currentVM: "CURR_VM"
        case .l2ExitHostRouting: "L2_EXIT_HOST_ROUTING"
        case .vmLaunched: "VM_LAUNCHED"
        case .l2Ctls: "L2_CTLS"
        case .l2DebugCtls: "L2_DEBUG_CTLS"
        case .tscDeadline: "TSC_DEADLINE"
        }
    }
}
