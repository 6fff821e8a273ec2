/// A VMCS field encoding (Intel SDM Vol. 3D appendix B): the field code of the L2 VMCS metadata classes
/// 36/44/52 (tdx-module include/auto_gen/tdvps_fields_lookup.h). Open: a trace or an L1 may name any encoding.
public struct VMCSField: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Bit 0 selects the HIGH half of a 64-bit field; TDG.VP.RD/WR refuse it (tdx-module
    /// src/common/metadata_handlers/metadata_vp.c md_vp_get_element).
    @inlinable public var isHighAccess: Bool { rawValue & 1 != 0 }

    // 16-bit guest state
    @inlinable public static var guestESSelector: VMCSField { VMCSField(0x0800) }
    @inlinable public static var guestCSSelector: VMCSField { VMCSField(0x0802) }
    @inlinable public static var guestSSSelector: VMCSField { VMCSField(0x0804) }
    @inlinable public static var guestDSSelector: VMCSField { VMCSField(0x0806) }
    @inlinable public static var guestFSSelector: VMCSField { VMCSField(0x0808) }
    @inlinable public static var guestGSSelector: VMCSField { VMCSField(0x080A) }
    @inlinable public static var guestLDTRSelector: VMCSField { VMCSField(0x080C) }
    @inlinable public static var guestTRSelector: VMCSField { VMCSField(0x080E) }
    /// Guest interrupt status: RVI in bits 7:0, SVI in bits 15:8.
    @inlinable public static var guestInterruptStatus: VMCSField { VMCSField(0x0810) }
    // 64-bit control and guest state
    @inlinable public static var virtualAPICAddress: VMCSField { VMCSField(0x2012) }
    @inlinable public static var eptPointer: VMCSField { VMCSField(0x201A) }
    @inlinable public static var guestPhysicalAddress: VMCSField { VMCSField(0x2400) }
    @inlinable public static var vmcsLinkPointer: VMCSField { VMCSField(0x2800) }
    @inlinable public static var guestDebugCtl: VMCSField { VMCSField(0x2802) }
    @inlinable public static var guestPAT: VMCSField { VMCSField(0x2804) }
    @inlinable public static var guestEFER: VMCSField { VMCSField(0x2806) }
    @inlinable public static var guestPDPTE0: VMCSField { VMCSField(0x280A) }
    @inlinable public static var guestPDPTE1: VMCSField { VMCSField(0x280C) }
    @inlinable public static var guestPDPTE2: VMCSField { VMCSField(0x280E) }
    @inlinable public static var guestPDPTE3: VMCSField { VMCSField(0x2810) }
    // 32-bit control
    @inlinable public static var pinBasedControls: VMCSField { VMCSField(0x4000) }
    @inlinable public static var primaryProcessorControls: VMCSField { VMCSField(0x4002) }
    @inlinable public static var exceptionBitmap: VMCSField { VMCSField(0x4004) }
    @inlinable public static var pageFaultErrorCodeMask: VMCSField { VMCSField(0x4006) }
    @inlinable public static var pageFaultErrorCodeMatch: VMCSField { VMCSField(0x4008) }
    @inlinable public static var exitControls: VMCSField { VMCSField(0x400C) }
    @inlinable public static var entryControls: VMCSField { VMCSField(0x4012) }
    @inlinable public static var entryInterruptionInfo: VMCSField { VMCSField(0x4016) }
    @inlinable public static var entryExceptionErrorCode: VMCSField { VMCSField(0x4018) }
    @inlinable public static var entryInstructionLength: VMCSField { VMCSField(0x401A) }
    @inlinable public static var secondaryProcessorControls: VMCSField { VMCSField(0x401E) }
    // 32-bit read-only exit information
    @inlinable public static var exitReason: VMCSField { VMCSField(0x4402) }
    @inlinable public static var exitInterruptionInfo: VMCSField { VMCSField(0x4404) }
    @inlinable public static var exitInterruptionErrorCode: VMCSField { VMCSField(0x4406) }
    @inlinable public static var idtVectoringInfo: VMCSField { VMCSField(0x4408) }
    @inlinable public static var idtVectoringErrorCode: VMCSField { VMCSField(0x440A) }
    @inlinable public static var exitInstructionLength: VMCSField { VMCSField(0x440C) }
    @inlinable public static var exitInstructionInfo: VMCSField { VMCSField(0x440E) }
    // 32-bit guest state
    @inlinable public static var guestESLimit: VMCSField { VMCSField(0x4800) }
    @inlinable public static var guestCSLimit: VMCSField { VMCSField(0x4802) }
    @inlinable public static var guestGDTRLimit: VMCSField { VMCSField(0x4810) }
    @inlinable public static var guestIDTRLimit: VMCSField { VMCSField(0x4812) }
    @inlinable public static var guestESAccessRights: VMCSField { VMCSField(0x4814) }
    @inlinable public static var guestCSAccessRights: VMCSField { VMCSField(0x4816) }
    @inlinable public static var guestSSAccessRights: VMCSField { VMCSField(0x4818) }
    @inlinable public static var guestInterruptibility: VMCSField { VMCSField(0x4824) }
    @inlinable public static var guestActivityState: VMCSField { VMCSField(0x4826) }
    @inlinable public static var guestSysenterCS: VMCSField { VMCSField(0x482A) }
    // natural-width control, exit information and guest state
    @inlinable public static var cr0GuestHostMask: VMCSField { VMCSField(0x6000) }
    @inlinable public static var cr4GuestHostMask: VMCSField { VMCSField(0x6002) }
    @inlinable public static var cr0ReadShadow: VMCSField { VMCSField(0x6004) }
    @inlinable public static var cr4ReadShadow: VMCSField { VMCSField(0x6006) }
    @inlinable public static var exitQualification: VMCSField { VMCSField(0x6400) }
    @inlinable public static var guestLinearAddress: VMCSField { VMCSField(0x640A) }
    @inlinable public static var guestCR0: VMCSField { VMCSField(0x6800) }
    @inlinable public static var guestCR3: VMCSField { VMCSField(0x6802) }
    @inlinable public static var guestCR4: VMCSField { VMCSField(0x6804) }
    @inlinable public static var guestESBase: VMCSField { VMCSField(0x6806) }
    @inlinable public static var guestCSBase: VMCSField { VMCSField(0x6808) }
    @inlinable public static var guestGDTRBase: VMCSField { VMCSField(0x6816) }
    @inlinable public static var guestIDTRBase: VMCSField { VMCSField(0x6818) }
    @inlinable public static var guestDR7: VMCSField { VMCSField(0x681A) }
    @inlinable public static var guestRSP: VMCSField { VMCSField(0x681C) }
    @inlinable public static var guestRIP: VMCSField { VMCSField(0x681E) }
    @inlinable public static var guestRFLAGS: VMCSField { VMCSField(0x6820) }
    @inlinable public static var guestPendingDebugExceptions: VMCSField { VMCSField(0x6822) }
    @inlinable public static var guestSysenterESP: VMCSField { VMCSField(0x6824) }
    @inlinable public static var guestSysenterEIP: VMCSField { VMCSField(0x6826) }
    @inlinable public static var guestSSP: VMCSField { VMCSField(0x682A) }

    /// Segment register `i` in VMCS order (0 = ES, 1 = CS, 2 = SS, 3 = DS, 4 = FS, 5 = GS, 6 = LDTR,
    /// 7 = TR): selector, limit, access rights and base encodings step by 2.
    @inlinable public static func segmentSelector(_ i: Int) -> VMCSField { VMCSField(0x0800 + UInt32(i) * 2) }
    @inlinable public static func segmentLimit(_ i: Int) -> VMCSField { VMCSField(0x4800 + UInt32(i) * 2) }
    @inlinable public static func segmentAccessRights(_ i: Int) -> VMCSField {
        VMCSField(0x4814 + UInt32(i) * 2)
    }
    @inlinable public static func segmentBase(_ i: Int) -> VMCSField { VMCSField(0x6806 + UInt32(i) * 2) }

    public var description: String { "VMCS \(hexShort(UInt64(rawValue)))" }
}
