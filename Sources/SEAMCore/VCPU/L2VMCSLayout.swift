import SEAMTypes

/// Where each L2 VMCS field lives in an `L2VMCS`: the index of its row in the generated field table.
///
/// The model keeps a VMCS as one flat array of values in table order, so a field access is an array index
/// and the per-field hash record is (VM, index, value). The indices of the fields the model itself reads on
/// every entry and exit are looked up once here.
public enum L2VMCSLayout {
    /// Number of fields in an L2 VMCS.
    public static var count: Int { fields.count }

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

    /// The table row of a field the model relies on; the table must list it.
    static func required(_ field: VMCSField) -> Int {
        guard let i = indexByEncoding[field.rawValue] else {
            preconditionFailure("Specs/l2-vmcs-fields.tsv lacks \(field), which the model uses")
        }
        return i
    }

    static let guestRSP = required(.guestRSP)
    static let guestRIP = required(.guestRIP)
    static let guestRFLAGS = required(.guestRFLAGS)
    static let guestSSP = required(.guestSSP)
    static let guestInterruptStatus = required(.guestInterruptStatus)
    static let guestCR0 = required(.guestCR0)
    static let guestCR3 = required(.guestCR3)
    static let guestCR4 = required(.guestCR4)
    static let guestEFER = required(.guestEFER)
    static let entryControls = required(.entryControls)
    static let virtualAPICAddress = required(.virtualAPICAddress)
    static let exitReason = required(.exitReason)
    static let exitQualification = required(.exitQualification)
    static let guestLinearAddress = required(.guestLinearAddress)
    static let guestPhysicalAddress = required(.guestPhysicalAddress)
    static let exitInterruptionInfo = required(.exitInterruptionInfo)
    static let exitInterruptionErrorCode = required(.exitInterruptionErrorCode)
    static let idtVectoringInfo = required(.idtVectoringInfo)
    static let idtVectoringErrorCode = required(.idtVectoringErrorCode)
    static let exitInstructionLength = required(.exitInstructionLength)
    static let exitInstructionInfo = required(.exitInstructionInfo)
    static let entryInterruptionInfo = required(.entryInterruptionInfo)
    static let exceptionBitmap = required(.exceptionBitmap)
    static let pageFaultErrorCodeMask = required(.pageFaultErrorCodeMask)
    static let pageFaultErrorCodeMatch = required(.pageFaultErrorCodeMatch)
    static let cr0GuestHostMask = required(.cr0GuestHostMask)
    static let cr4GuestHostMask = required(.cr4GuestHostMask)
    static let cr0ReadShadow = required(.cr0ReadShadow)
    static let cr4ReadShadow = required(.cr4ReadShadow)
    static let secondaryControls = required(.secondaryProcessorControls)
    static let csSelector = required(.guestCSSelector)
    static let csBase = required(.guestCSBase)
    static let csLimit = required(.guestCSLimit)
    static let csAccessRights = required(.guestCSAccessRights)
    static let ssAccessRights = required(.guestSSAccessRights)
}
