import SEAMTypes

/// The TD-partitioning SVSM's shared-IRTE ring (its `kernel/src/tdx/sirte.rs`; registered with TDVMCALL
/// 0x20001, `BuiltInTDVMCallHost`): one shared 4K page per L2 VM through which the host hands L1 the
/// interrupts of that VM's devices, and the vector the host signals L1 with.
///
///     offset 0    u8  notification vector (the SVSM's per-VM vector: its handler finds the VM by it)
///            16   u32 num_elem   20 u32 elem_size (16)   24 u32 head (next entry L1 reads; L1 advances it)
///            28   u32 tail (next entry the host writes; the host advances it)   32 u32 size = num_elem × elem_size
///            48   num_elem entries of 16 bytes (253 fill the page): u32 irq_type (1 IOAPIC, 2 MSI), then
///                 MSI {u8 mode, u8 vector, u8 dest_id, 9 reserved} or IOAPIC {u32 pin, u32 level, u32 source_id}
///     empty: head == tail;  full: (tail + 1) mod num_elem == head (one entry stays unused)
///
/// The host's push (`pushIRTE`): check the ring, write the entry at tail, advance tail, then post the ring's
/// vector to L1 of the vCPU (`postInterrupt` with the notification IPI). A ring the L1 set up wrongly is
/// refused with an `IRTERingProblem`, which the step records; a refused push writes and posts nothing.
extension Machine {
    /// Byte offsets in the ring page.
    public enum IRTERing {
        public static let vector = 0
        public static let numElem = 16
        public static let elemSize = 20
        public static let head = 24
        public static let tail = 28
        public static let size = 32
        public static let entries = 48
        /// The entry size the host writes.
        public static let entrySize: UInt32 = 16
        /// The most entries one 4K page holds after the 48-byte header.
        public static let maxEntries: UInt32 = (4096 - 48) / 16
    }

    /// The host pushes `event` into the shared-IRTE ring L1 registered at `gpa` (the page's GPA as the SVSM
    /// passes it in R12: 4K-aligned, SHARED bit clear; the host reaches it through the shared alias, `gpa` |
    /// SHARED) and signals L1 of `vcpu` with the ring's vector. Returns the refusal (nothing written, nothing
    /// posted), or what the notification did (`postInterrupt`: nil, or what L2 did when it ran).
    ///
    /// Checks, in this order (the first that fails is the refusal): `gpa` 4K-aligned, SHARED bit clear and
    /// within the GPAW (`.badGPA`); the shared alias mapped by the host (`.notShared`: L1 never converted
    /// the page with MapGPA, or registered the private page); elem_size 16, 1 ≤ num_elem ≤ 253 and size =
    /// num_elem × elem_size (`.badHeader`); head and tail < num_elem (`.badIndex`); the vector 32…255
    /// (`.badVector`); the ring not full (`.full`).
    /// - Throws: `.noSuchVCPU`; `.notFinalized`; `.invalidEvent` when the host has not enabled posted
    ///   interrupts on the vCPU (as `postInterrupt`): the host's own set-up, not the ring's.
    public mutating func pushIRTE(vcpu i: Int, gpa: UInt64, _ event: IRTEEvent) throws(MachineError)
        -> Result<L2Outcome?, IRTERingProblem>
    {
        try checkVCPU(i)
        guard opState == .runnable else { throw .notFinalized }
        guard postedInterruptsEnabled(i) else {
            throw .invalidEvent(
                "irte_push: vCPU \(i) has no posted interrupts enabled (TDH.VP.WR of pin-based bit 7 first)")
        }
        guard gpa & 0xFFF == 0, gpa & width.sharedMask == 0, gpa >> UInt64(width.bits) == 0 else {
            return .failure(.badGPA)
        }
        let page = gpa | width.sharedMask
        guard isSharedMapped(page) else { return .failure(.notShared) }
        let header = gather(gpa: page, count: IRTERing.entries)
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(header[at + $1]) << (8 * UInt32($1)) } }
        let n = u32(IRTERing.numElem)
        guard u32(IRTERing.elemSize) == IRTERing.entrySize, (1...IRTERing.maxEntries).contains(n),
            u32(IRTERing.size) == n * IRTERing.entrySize
        else { return .failure(.badHeader) }
        let head = u32(IRTERing.head)
        let tail = u32(IRTERing.tail)
        guard head < n, tail < n else { return .failure(.badIndex) }
        let vector = header[IRTERing.vector]
        guard vector >= 32 else { return .failure(.badVector) }
        let next = (tail + 1) % n
        guard next != head else { return .failure(.full) }
        event.bytes.withUnsafeBytes {
            scatter(gpa: page + UInt64(IRTERing.entries) + UInt64(tail) * UInt64(IRTERing.entrySize), $0)
        }
        withUnsafeBytes(of: next.littleEndian) { scatter(gpa: page + UInt64(IRTERing.tail), $0) }
        return .success(try postInterrupt(vcpu: i, vectors: [vector], notify: true))
    }
}

/// An L2 device's interrupt as the host puts it in the shared-IRTE ring (one 16-byte entry).
public enum IRTEEvent: Hashable, Sendable {
    /// irq_type 2: `mode` (bit 0 destination mode logical, bit 1 level-triggered, bits 4:2 delivery mode),
    /// `vector`, `destID`.
    case msi(mode: UInt8, vector: UInt8, destID: UInt8)
    /// irq_type 1: an IOAPIC pin's new level, from `sourceID`.
    case ioapic(pin: UInt32, level: UInt32, sourceID: UInt32)

    /// The entry's 16 bytes, little-endian.
    public var bytes: [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
        switch self {
        case .msi(let mode, let vector, let dest):
            return le(2) + [mode, vector, dest] + [UInt8](repeating: 0, count: 9)
        case .ioapic(let pin, let level, let source): return le(1) + le(pin) + le(level) + le(source)
        }
    }
}

/// Why the host refused to push into a shared-IRTE ring (`Machine.pushIRTE`): the ring as L1 set it up.
public enum IRTERingProblem: UInt8, Error, Hashable, Sendable, CaseIterable {
    /// The ring GPA is not 4K-aligned, has the SHARED bit set or lies past the GPAW.
    case badGPA = 1
    /// The ring's page is not shared memory the host mapped (L1 registered a page it never converted).
    case notShared = 2
    /// elem_size is not 16, num_elem not 1…253, or size ≠ num_elem × elem_size.
    case badHeader = 3
    /// head or tail is not below num_elem.
    case badIndex = 4
    /// The notification vector (byte 0) is below 32.
    case badVector = 5
    /// (tail + 1) mod num_elem == head: no free entry.
    case full = 6

    /// The name traces use.
    public var name: String {
        switch self {
        case .badGPA: "bad_gpa"
        case .notShared: "not_shared"
        case .badHeader: "bad_header"
        case .badIndex: "bad_index"
        case .badVector: "bad_vector"
        case .full: "full"
        }
    }

    public init?(name: String) {
        guard let p = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = p
    }
}
