import Foundation
import SEAMCore
import SEAMFormats
import SEAMFuzz
import SEAMTypes
import Testing

@Suite struct FuzzCampaignTests {
    /// Same seed and iteration count, same campaign: executions, operations, coverage and the inputs kept,
    /// with one job and with two (each job its own seeded share).
    @Test(arguments: [1, 2])
    func aCampaignIsAFunctionOfItsSeedAndIterations(jobs: Int) {
        let a = FuzzCampaign.run(.init(seed: 99, iterations: 600, jobs: jobs))
        let b = FuzzCampaign.run(.init(seed: 99, iterations: 600, jobs: jobs))
        #expect(a.stats.executions == 600 && b.stats.executions == 600)
        #expect(a.stats.operations == b.stats.operations)
        #expect(a.coverage.features == b.coverage.features)
        #expect(a.newInputs == b.newInputs)
        #expect(!a.newInputs.isEmpty)
        let c = FuzzCampaign.run(.init(seed: 100, iterations: 600, jobs: jobs))
        #expect(c.newInputs != a.newInputs)
    }

    /// With no bug planted, a fixed-seed run of more than 1,000,000 operations finds nothing. (About 50,000
    /// executions; `softseam fuzz` runs the same in CI in release for a minute.)
    @Test func aMillionOperationsFromAFixedSeedFindNothing() {
        let r = FuzzCampaign.run(.init(seed: 1, iterations: 52_000, jobs: 2))
        #expect(r.stats.operations >= 1_000_000)
        #expect(r.finding == nil, "\(r.finding.map(\.description) ?? "")")
    }

    /// Shrinking keeps the invariant and cuts the operations that do not matter: a W-only ATTR.WR buried
    /// among unrelated operations shrinks to that one call (with the bug that accepts it planted).
    @Test(.enabled(if: PlantedBug.isAvailable))
    func shrinkingCutsToTheOneOperationThatMatters() throws {
        let wOnly = FuzzOp.tdcall(RegisterFile(rax: 24, rcx: 0x10_4000, rdx: 0x8002_0000, r8: 0xF_0000))
        let noise: [FuzzOp] = [
            .tdcall(RegisterFile(rax: 23, rcx: 0x10_5000)),
            .seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memTrack.rawValue))),
            .access(vm: 2, MemoryAccess(kind: .read, gpa: 0x10_6000, size: 8)),
            .tdcall(RegisterFile(rax: 26, rcx: 0x2)),
        ]
        let ops = noise + [wOnly] + noise
        var none: Coverage? = nil
        let found = try #require(
            PlantedBug.withPlanted(.wWithoutR) { FuzzExecution.run(shape: 0, ops: ops, deep: true, coverage: &none) })
        #expect(found.violation.invariant == "attr-legal")
        let shrunk = PlantedBug.withPlanted(.wWithoutR) { FuzzShrinker.shrink(found) }
        #expect(shrunk.ops == [wOnly])
    }

    /// Every committed seed input under Traces/fuzz/ops decodes and runs without a finding.
    @Test func theSeedCorpusRunsClean() throws {
        let dir = repositoryRoot + "/Traces/fuzz/ops"
        let names = try #require(try? FileManager.default.contentsOfDirectory(atPath: dir)).sorted()
        #expect(names.count >= 8)
        for name in names {
            let bytes = try #require(FileManager.default.contents(atPath: dir + "/" + name))
            let finding = bytes.withUnsafeBytes { fuzzOne($0) }
            #expect(finding == nil, "\(name): \(finding.map(\.description) ?? "")")
            #expect(!FuzzDecoder.decode([UInt8](bytes)).ops.isEmpty, "\(name) decodes to no operation")
        }
    }
}

let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()
