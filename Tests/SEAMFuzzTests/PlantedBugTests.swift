import SEAMCore
import SEAMFormats
import SEAMFuzz
import SEAMTypes
import Testing

/// The oracle has teeth: with each known bug planted in the model (debug builds, `PlantedBug`), the built-in
/// fuzzer finds it from a fixed seed within a fixed budget, shrinks it to at most 10 operations, and the
/// shrunk finding's trace diverges when `softseam replay` runs it on the model without the bug.
@Suite struct PlantedBugTests {
    /// The invariant each bug must be caught by.
    static let caughtBy: [PlantedBug: [String]] = [
        .wWithoutR: ["attr-legal"],
        .pendingAliasNotBlocked: ["pending-alias", "alias-state"],
        .acceptKeepsAliasesBlocked: ["alias-state", "access"],
        .rejectedAttrWrCommitsFirstVM: ["rejected-changed", "alias-state"],
        .blockLeavesAliasesReachable: ["access"],
        .inveptFlagIgnored: ["invept"],
    ]

    @Test(.enabled(if: PlantedBug.isAvailable), arguments: PlantedBug.allCases)
    func theFuzzerFindsAndShrinksThePlantedBug(_ bug: PlantedBug) throws {
        let result = FuzzCampaign.run(.init(seed: 15, iterations: 4000, plant: bug))
        let finding = try #require(result.finding, "\(bug) not found in 4,000 executions")
        #expect(Self.caughtBy[bug]!.contains(finding.violation.invariant), "\(finding)")
        #expect(finding.ops.count <= 10, "\(finding)")
        // The shrunk finding is still one with the bug planted, and none without it.
        var none: Coverage? = nil
        let again = PlantedBug.withPlanted(bug) {
            FuzzExecution.run(shape: finding.shape, ops: finding.ops, deep: true, coverage: &none)
        }
        #expect(again?.violation.invariant == finding.violation.invariant)
        #expect(FuzzExecution.run(shape: finding.shape, ops: finding.ops, deep: true, coverage: &none) == nil)
        // Its trace replays, in both forms, to a divergence at exactly the step the oracle flagged, on the
        // model that has the bug (as a real bug would be replayed): the trace records what the oracle
        // expected there, and what the model did everywhere else.
        let trace = PlantedBug.withPlanted(bug) {
            FindingTrace.trace(shape: finding.shape, ops: finding.ops, finding: finding)
        }
        let flagged = try #require(trace.steps.firstIndex { $0.comment?.hasPrefix("ORACLE") ?? false })
        for form in [try Trace(binary: trace.binary(), file: "f.bin"), try Trace.parse(trace.jsonLines(), file: "f")] {
            let replay = try PlantedBug.withPlanted(bug) { try Replayer.replay(form, file: "finding") }
            #expect(replay.divergence?.step == flagged + 1, "\(trace.jsonLines())")
        }
    }
}
