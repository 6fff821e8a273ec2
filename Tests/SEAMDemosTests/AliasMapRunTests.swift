import SEAMCore
import SEAMDemos
import SEAMTypes
import Testing

/// The alias table keeps runs of unlabelled leaves that read the same as one row (a 16 GiB TD of 4K pages is
/// one row, not 4 Mi), and its JSON still lists every leaf.
@Suite struct AliasMapRunTests {
    /// 0x100000–0x102FFF mapped, 0x103000–0x104FFF pending, a gap, 0x106000 mapped, a 2M pending page at
    /// 0x200000; 2 L2 VMs, no aliases.
    static let machine = Machine(
        config: MachineConfig(
            numL2VMs: 2,
            memory: [
                .init(gpa: 0x10_0000, size: 0x3000, state: .mapped),
                .init(gpa: 0x10_3000, size: 0x2000, state: .pending),
                .init(gpa: 0x10_6000, size: 0x1000, state: .mapped),
                .init(gpa: 0x20_0000, size: 0x20_0000, state: .pending, pageLevel: .size2M),
            ]))

    @Test func runsBreakAtAStateChangeAGapALevelChangeAndALabel() {
        let rows = AliasMap(Self.machine).rows
        #expect(rows.map(\.gpa) == [0x10_0000, 0x10_3000, 0x10_6000, 0x20_0000])
        #expect(rows.map(\.count) == [3, 2, 1, 1])
        #expect(rows.map(\.state) == [.mapped, .pending, .mapped, .pending])
        let labelled = AliasMap(Self.machine, labels: [("B", 0x10_1000)]).rows
        #expect(labelled.map(\.gpa) == [0x10_0000, 0x10_1000, 0x10_2000, 0x10_3000, 0x10_6000, 0x20_0000])
        #expect(labelled.map(\.count) == [1, 1, 1, 2, 1, 1])
        #expect(labelled[1].label == "B")
    }

    @Test func textFoldsRunsAndJSONListsEveryLeaf() {
        let map = AliasMap(Self.machine)
        let text = map.text().split(separator: "\n").map(String.init)
        #expect(text.count == 5)
        #expect(text[1].contains("0x100000–0x102fff") && text[1].contains("3×4K"))
        #expect(text[2].contains("0x103000–0x104fff") && text[2].contains("2×4K"))
        let json = map.json(stateHash: 0)
        #expect(json.components(separatedBy: "\"gpa\":").count - 1 == 7)
        for gpa in ["0x100000", "0x101000", "0x102000", "0x103000", "0x104000", "0x106000", "0x200000"] {
            #expect(json.contains("\"gpa\":\"\(gpa)\""), "\(gpa)")
        }
    }
}
