import Foundation
import SEAMAttest
import SEAMDemos
import Testing
import VTPMExample

@testable import SoftSEAMCommands

/// README.md shows program output in fenced blocks marked `<!-- sample: softseam demo -->`. Each block must
/// be what the program prints: its lines, between `…` lines that stand for omitted output, appear in the
/// output consecutively and in order.
@Suite struct ReadmeSampleTests {
    /// The fenced blocks that follow `marker` in `text`, as lines.
    static func samples(_ text: String, marker: String) -> [[String]] {
        var blocks: [[String]] = []
        var rest = Substring(text)
        while let m = rest.range(of: marker) {
            let after = rest[m.upperBound...]
            guard let open = after.range(of: "```\n"), after[..<open.lowerBound].allSatisfy(\.isWhitespace),
                let close = after[open.upperBound...].range(of: "\n```")
            else {
                blocks.append(["(no fenced block after the marker)"])
                break
            }
            blocks.append(
                after[open.upperBound..<close.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).map(
                    String.init))
            rest = after[close.upperBound...]
        }
        return blocks
    }

    /// nil when `sample` matches `output` (runs between `…` lines consecutive and in order), else the first
    /// line that does not.
    static func mismatch(_ sample: [String], in output: [String]) -> String? {
        var from = 0
        var run: [String] = []
        func place() -> Bool {
            guard !run.isEmpty else { return true }
            var i = from
            while i + run.count <= output.count {
                if Array(output[i..<(i + run.count)]) == run {
                    from = i + run.count
                    run = []
                    return true
                }
                i += 1
            }
            return false
        }
        for line in sample + ["…"] {
            if line == "…" {
                if !place() { return run.first { !output.contains($0) } ?? run[0] }
            } else {
                run.append(line)
            }
        }
        return nil
    }

    @Test func theDemoSamplesAreWhatTheDemoPrints() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let blocks = Self.samples(readme, marker: "<!-- sample: softseam demo -->")
        #expect(blocks.count == 2)
        let alias = AliasTableDemo.run()
        let output = Demo.text(alias, AliasMap(alias.machine, labels: alias.scenario.labels), L2BootDemo.run())
        for block in blocks {
            #expect(
                Self.mismatch(block, in: output) == nil, "README.md's sample is stale: compare with `softseam demo`")
        }
    }

    @Test func theVerifierSampleIsWhatVerifyPrints() throws {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let blocks = Self.samples(readme, marker: "<!-- sample: softseam attest verify -->")
        #expect(blocks.count == 1)
        let report = EvidenceVerifier.verify(try VTPMExample.run().evidence, against: VTPMExample.reference())
        let output = Attest.Verify.text(report)
        for block in blocks {
            #expect(
                Self.mismatch(block, in: output) == nil,
                "README.md's sample is stale: compare with `softseam attest verify`")
        }
    }

    /// The matcher itself: a line out of order, a changed number and lines that are not consecutive in the
    /// output are found; `…` allows a gap.
    @Test func theMatcherFindsStaleLines() {
        let output = ["a", "b", "c", "d"]
        #expect(Self.mismatch(["a", "b"], in: output) == nil)
        #expect(Self.mismatch(["a", "…", "d"], in: output) == nil)
        #expect(Self.mismatch(["a", "c"], in: output) == "a")
        #expect(Self.mismatch(["b", "…", "a"], in: output) == "a")
        #expect(Self.mismatch(["a", "x"], in: output) == "x")
        #expect(Self.samples("<!-- m -->\n```\nx\n…\ny\n```\n", marker: "<!-- m -->") == [["x", "…", "y"]])
    }
}
