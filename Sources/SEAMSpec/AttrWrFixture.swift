import SEAMCore
import SEAMTypes

/// The TD `Specs/attr-wr-failures.tsv` is written against (its header and Specs/README.md describe it):
/// NUM_L2_VMS = 2, GPAW 48, VM_CTLS[2] bit 0 set, and pages A–J in the states the table names.
public enum AttrWrFixture {
    public static let a: UInt64 = 0x10_0000, b: UInt64 = 0x10_1000, c: UInt64 = 0x10_2000, d: UInt64 = 0x10_3000
    public static let e: UInt64 = 0x10_4000, f: UInt64 = 0x10_5000, g: UInt64 = 0x20_0000, h: UInt64 = 0x40_0000
    public static let i: UInt64 = 0x80_0000, j: UInt64 = 0x4000_0000

    /// The fixture; copy it per case (a `Machine` is a value).
    public static let machine: Machine = {
        var m = Machine(numL2VMs: 2)
        var hpa: UInt64 = 0x20_0000_0000
        host(&m, .mngWr, rdx: 0x9110_0003_0000_0014, r8: 1, r9: 1)
        BuiltInHost.addTables(&m, gpa: a, above: .size4K, l2: true, hpa: &hpa)
        BuiltInHost.addTables(&m, gpa: g, above: .size2M, l2: true, hpa: &hpa)
        BuiltInHost.addTables(&m, gpa: h, above: .size4K, l2: true, hpa: &hpa)
        BuiltInHost.addTables(&m, gpa: i, above: .size4K, l2: false, hpa: &hpa)
        for page in [a, d, e, h, h + 0x1000, i] {
            host(&m, .memPageAdd, rcx: page, r8: 0x30_0000_0000, r9: 0x30_0000_0000)
        }
        for page in [b, f] { host(&m, .memPageAug, rcx: page, r8: 0x30_0000_0000) }
        host(&m, .memPageAug, rcx: g | 1, r8: 0x30_0000_0000)
        host(&m, .mrFinalize)  // L1 runs only in a finalized TD
        l1(&m, .memPageAccept, rcx: g | 1)
        host(&m, .memRangeBlock, rcx: d)
        l1(&m, .memPageAttrWr, rcx: e, rdx: 0x8001_8003 << 16, r8: 0x000F_000F << 16)
        l1(&m, .memPageAttrWr, rcx: f, rdx: 0x800F << 16, r8: 0x000F << 16)
        return m
    }()

    static func host(
        _ m: inout Machine, _ leaf: SEAMCallLeaf, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0
    ) {
        var r = RegisterFile(rax: UInt64(leaf.rawValue), rcx: rcx, rdx: rdx, r8: r8, r9: r9)
        m.seamcall(&r)
        precondition(r.rax == 0, "fixture: \(leaf) \(hexShort(rcx)) returned \(TDXStatus(r.rax))")
    }

    static func l1(_ m: inout Machine, _ leaf: Leaf, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0) {
        var r = RegisterFile(rax: UInt64(leaf.rawValue), rcx: rcx, rdx: rdx, r8: r8)
        let outcome = try? m.tdcall(vcpu: 0, &r)
        precondition(
            outcome == .completed && r.rax == 0, "fixture: \(leaf) \(hexShort(rcx)) returned \(TDXStatus(r.rax))")
    }
}
