import SEAMTypes

/// Where each L2 VMCS field lives in an `L2VMCS`: the index of its row in the generated field table.
///
/// The model keeps a VMCS as one flat array of values in table order, so a field access is an array index
/// and the per-field hash record is (VM, index, value). The indices of the fields the model itself reads on
/// every entry and exit are the generated `L2VMCSRow` constants.
public enum L2VMCSLayout {
    /// Number of fields in an L2 VMCS.
    @inlinable public static var count: Int { L2VMCSRow.count }

    /// Index of each encoding in `fields`.
    static let indexByEncoding: [UInt32: Int] = {
        var d: [UInt32: Int] = [:]
        for (i, f) in fields.enumerated() {
            precondition(d[f.encoding.rawValue] == nil, "duplicate L2 VMCS encoding \(f.encoding)")
            d[f.encoding.rawValue] = i
        }
        return d
    }()

    /// The table row of `field`, or nil for an encoding the table does not list.
    public static func index(of field: VMCSField) -> Int? { indexByEncoding[field.rawValue] }

    /// The table row of a field the model relies on; the table must list it. (The hot paths use the
    /// `L2VMCSRow` constants instead.)
    static func required(_ field: VMCSField) -> Int {
        guard let i = indexByEncoding[field.rawValue] else {
            preconditionFailure("Specs/l2-vmcs-fields.tsv lacks \(field), which the model uses")
        }
        return i
    }

    static var guestRSP: Int { L2VMCSRow.guestRsp }
    static var guestRIP: Int { L2VMCSRow.guestRip }
    static var guestRFLAGS: Int { L2VMCSRow.guestRflags }
    static var guestSSP: Int { L2VMCSRow.guestSsp }
    static var guestInterruptStatus: Int { L2VMCSRow.guestIntrStatus }
    static var guestCR0: Int { L2VMCSRow.guestCr0 }
    static var guestCR3: Int { L2VMCSRow.guestCr3 }
    static var guestCR4: Int { L2VMCSRow.guestCr4 }
    static var guestEFER: Int { L2VMCSRow.guestIa32Efer }
    static var entryControls: Int { L2VMCSRow.vmEntryControls }
    static var virtualAPICAddress: Int { L2VMCSRow.virtualApicAddress }
    static var exitReason: Int { L2VMCSRow.exitReason }
    static var exitQualification: Int { L2VMCSRow.exitQualification }
    static var guestLinearAddress: Int { L2VMCSRow.guestLinearAddress }
    static var guestPhysicalAddress: Int { L2VMCSRow.guestPhysicalAddress }
    static var exitInterruptionInfo: Int { L2VMCSRow.vmExitIntrInfo }
    static var exitInterruptionErrorCode: Int { L2VMCSRow.vmExitIntrErrorCode }
    static var idtVectoringInfo: Int { L2VMCSRow.idtVectoringInfo }
    static var idtVectoringErrorCode: Int { L2VMCSRow.idtVectoringErrorCode }
    static var exitInstructionLength: Int { L2VMCSRow.vmExitInstructionLength }
    static var exitInstructionInfo: Int { L2VMCSRow.vmExitInstructionInfo }
    static var entryInterruptionInfo: Int { L2VMCSRow.vmEntryIntrInfo }
    static var exceptionBitmap: Int { L2VMCSRow.exceptionBitmap }
    static var pageFaultErrorCodeMask: Int { L2VMCSRow.pfErrorCodeMask }
    static var pageFaultErrorCodeMatch: Int { L2VMCSRow.pfErrorCodeMatch }
    static var cr0GuestHostMask: Int { L2VMCSRow.cr0GuestHostMask }
    static var cr4GuestHostMask: Int { L2VMCSRow.cr4GuestHostMask }
    static var cr0ReadShadow: Int { L2VMCSRow.cr0ReadShadow }
    static var cr4ReadShadow: Int { L2VMCSRow.cr4ReadShadow }
    static var secondaryControls: Int { L2VMCSRow.secondaryProcBasedControls }
    static var csSelector: Int { L2VMCSRow.guestCsSelector }
    static var csBase: Int { L2VMCSRow.guestCsBase }
    static var csLimit: Int { L2VMCSRow.guestCsLimit }
    static var csAccessRights: Int { L2VMCSRow.guestCsAr }
    static var ssAccessRights: Int { L2VMCSRow.guestSsAr }
}
