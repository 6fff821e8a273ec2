import Foundation
import SEAMCore
import Testing

@testable import SoftSEAMCommands

@Suite struct BenchTests {
    @Test func theReadmeListsEveryBenchmarkKeyInOrder() throws {
        // The bench row of README's command table spells out `--json`'s keys: {"attr_wr": N, …}.
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let row = try #require(readme.split(separator: "\n").first { $0.hasPrefix("| `softseam bench") })
        let object = try #require(row.firstRange(of: "`{\"attr_wr\"").map { row[$0.lowerBound...] })
        let listed = object.prefix { $0 != "}" }.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }
            .map { String($0.element) }
        #expect(listed == Benchmarks.all.map(\.name))
    }

    @Test func theBigTDConfigBuildsThePagesItNames() {
        // 3 pages from GPA 0: one level-1 paging page, each page mapped 4K.
        let m = Benchmarks.buildTD(pages: 3)
        #expect(m.space.leaves.count == 3 && m.space.leaf(at: 0x2000, level: .size4K)?.state == .mapped)
        #expect(
            Benchmarks.bigTDConfig(pages: 4)
                == #"{"num_l2_vms": 3, "memory": [{"gpa": "0x0", "size": "0x4000", "state": "mapped"}]}"#)
    }

    @Test func peakResidentBytesReadsThisProcess() {
        // /proc/self/status VmHWM: never below the current resident set, which holds at least this test.
        #expect(Benchmarks.peakResidentBytes() >= 1 << 20)
    }
}
