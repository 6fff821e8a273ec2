import SEAMTypes

/// One L2 VMCS field as the module's field table describes it: its encoding, the masks L1 reads and
/// writes it through with TDG.VP.RD/WR, its value after TDH.VP.INIT and the attributes that give it
/// special handling (module `include/auto_gen/td_l2_vmcs_fields_lookup.c`, `src/td_dispatcher/vm_exits/tdg_vp_rd_wr.c`; Specs/l2-vmcs-fields.tsv).
///
/// The table itself is `Specs/l2-vmcs-fields.tsv`; `L2VMCSFields+Generated.swift` is generated from it
/// (`make generate`) and a test checks the two agree.
public struct L2VMCSFieldInfo: Sendable, CustomStringConvertible {
    /// Special handling a field gets from the module.
    public struct Attributes: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// Must hold a private GPA (checked on write like TDG.VP.ENTER's RDX).
        public static let privateGPA = Attributes(rawValue: 1 << 0)
        /// Holds a shared HPA.
        public static let sharedHPA = Attributes(rawValue: 1 << 1)
        /// Guest CR0: read and written through the base L2 guest/host mask and read shadow.
        public static let guestCR0 = Attributes(rawValue: 1 << 2)
        /// Guest CR4: read and written through the base L2 guest/host mask and read shadow.
        public static let guestCR4 = Attributes(rawValue: 1 << 3)
        /// A CR0/CR4 guest/host mask: L1 reads and writes its own copy, combined with the base mask.
        public static let crMask = Attributes(rawValue: 1 << 4)
        /// A CR0/CR4 read shadow: L1 reads and writes its own copy, combined with the base shadow.
        public static let crShadow = Attributes(rawValue: 1 << 5)
        /// TDG.VP.ENTER writes it from the L2_ENTER_GUEST_STATE buffer (module `src/td_transitions/tdg_vp_enter.c`).
        public static let overwrittenOnEntry = Attributes(rawValue: 1 << 6)
        /// The module reads it through a field-specific handler.
        public static let specialRead = Attributes(rawValue: 1 << 7)
        /// The module writes it through a field-specific handler.
        public static let specialWrite = Attributes(rawValue: 1 << 8)

        /// The `attrs` cell spellings of Specs/l2-vmcs-fields.tsv.
        public static let names: [(String, Attributes)] = [
            ("private_gpa", .privateGPA), ("shared_hpa", .sharedHPA), ("guest_cr0", .guestCR0),
            ("guest_cr4", .guestCR4), ("cr_mask", .crMask), ("cr_shadow", .crShadow),
            ("overwritten_on_entry", .overwrittenOnEntry), ("special_rd", .specialRead), ("special_wr", .specialWrite),
        ]
    }

    public let encoding: VMCSField
    public let name: String
    /// Element size in bits: 16, 32 or 64 (natural-width fields are 64).
    public let size: Int
    /// Bits L1 may read (0: TDG.VP.RD answers FIELD_NOT_READABLE).
    public let readMask: UInt64
    /// Bits L1 may write (0: TDG.VP.WR answers FIELD_NOT_WRITABLE).
    public let writeMask: UInt64
    /// Value in a fresh L2 VMCS.
    public let reset: UInt64
    public let attributes: Attributes
    /// The module's lookup-table entry the field belongs to; consecutive rows with the same entry form one
    /// multi-field entry (I/O bitmaps, EOI-exit bitmaps, PDPTEs, CR3-target values).
    public let entry: Int

    public init(
        _ encoding: UInt32, _ name: String, _ size: Int, _ readMask: UInt64, _ writeMask: UInt64, _ reset: UInt64,
        _ attributes: Attributes, entry: Int
    ) {
        self.entry = entry
        self.encoding = VMCSField(encoding)
        self.name = name
        self.size = size
        self.readMask = readMask
        self.writeMask = writeMask
        self.reset = reset
        self.attributes = attributes
    }

    /// The bits an element of this size holds.
    public var sizeMask: UInt64 { size == 64 ? ~0 : (1 << UInt64(size)) - 1 }

    /// The metadata element size code of its field IDs (1 = 16-bit, 2 = 32-bit, 3 = 64-bit).
    public var elementSizeCode: UInt8 { size == 16 ? 1 : size == 32 ? 2 : 3 }

    public var description: String { "\(name) (\(encoding))" }
}
