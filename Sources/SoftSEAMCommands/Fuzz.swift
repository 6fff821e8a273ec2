import ArgumentParser
import Foundation
import SEAMCore
import SEAMFormats
import SEAMFuzz
import SEAMTypes
import Synchronization

/// `softseam fuzz`: the built-in fuzzer over the page-alias permission logic (SEAMFuzz): inputs decoded into
/// operations, run from a fresh TD through the step engine with the isolation oracle on. A finding is shrunk
/// and written as a trace that `softseam replay` stops at. Exit 0 no finding, 1 a finding, 2 usage or a bad
/// file.
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fuzz the page-alias permission logic against the isolation oracle.",
        discussion: """
            Deterministic for a seed and an iteration count (with --jobs J, job j runs its own seeded share). \
            A progress line (executions per second, statuses and exit routes covered, findings) goes to \
            stderr once a second. --corpus DIR starts from the inputs in DIR and adds each input that reached \
            new statuses or routes (file name: the XXH3 of its bytes). A finding is shrunk (operations, then \
            register values) and written to --output as a full trace whose flagged step holds what the oracle \
            expected (README "Fuzzing"); the command then exits 1.
            """)

    @Option(help: "Seed of the campaign (a 64-bit number).")
    var seed: UInt64 = 1

    @Option(help: "Executions in all (≥ 1); the default is 100000 unless --minutes is given.")
    var iterations: Int?

    @Option(help: "Run for this many minutes (> 0) instead of a number of iterations.")
    var minutes: Double?

    @Option(help: "Parallel jobs, one thread each (≥ 1).")
    var jobs: Int = 1

    @Option(help: "Corpus directory: inputs read at the start, new-coverage inputs written to it.")
    var corpus: String?

    @Option(
        name: [.short, .long], help: "Where a finding's trace goes (JSON Lines, or binary when the name ends in .bin).")
    var output = "fuzz-finding.trace.jsonl"

    @Option(
        help: ArgumentHelp(
            "Plant a known bug first (debug builds only): \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")).",
            visibility: .hidden))
    var plant: String?

    func validate() throws {
        if iterations != nil && minutes != nil { throw ValidationError("give --iterations or --minutes, not both") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be ≥ 1, got \(iterations)") }
        if let minutes, !(minutes > 0 && minutes.isFinite) {
            throw ValidationError("--minutes must be more than 0, got \(minutes)")
        }
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("--jobs must be 1…256, got \(jobs)") }
        if let plant {
            guard PlantedBug(rawValue: plant) != nil else {
                throw ValidationError(
                    "--plant: no bug named \(plant) (known: \(PlantedBug.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard PlantedBug.isAvailable else {
                throw ValidationError("--plant needs a debug build (planted bugs are compiled out of release builds)")
            }
        }
    }

    func run() throws {
        do throws(InputError) { try FileIO.checkWritable(output) } catch { throw fail(error) }
        let seeds: [[UInt8]]
        do throws(InputError) { seeds = try corpus.map(Self.readCorpus) ?? [] } catch { throw fail(error) }

        let clock = ContinuousClock()
        let started = clock.now
        let deadline = minutes.map { started + .milliseconds(Int64($0 * 60_000)) }
        let lastShown = Mutex(started)
        let options = FuzzCampaign.Options(
            seed: seed, iterations: deadline == nil ? (iterations ?? 100_000) : nil, jobs: jobs, seeds: seeds,
            plant: plant.flatMap(PlantedBug.init(rawValue:)))
        let result = FuzzCampaign.run(
            options, shouldStop: { deadline.map { clock.now >= $0 } ?? false },
            progress: { stats in
                let now = clock.now
                let show = lastShown.withLock { last in
                    guard now - last >= .seconds(1) else { return false }
                    last = now
                    return true
                }
                if show {
                    var err = StandardError()
                    print("fuzz: " + Self.line(stats, elapsed: now - started), to: &err)
                }
            })
        if let corpus {
            do throws(InputError) { try Self.writeCorpus(result.newInputs, to: corpus) } catch { throw fail(error) }
        }
        let summary = Self.line(result.stats, elapsed: clock.now - started)
        guard let finding = result.finding else {
            print("fuzz: no finding; \(summary)")
            return
        }
        let trace = PlantedBug.withPlanted(options.plant) {
            FindingTrace.trace(shape: finding.shape, ops: finding.ops, finding: finding)
        }
        do throws(InputError) {
            try trace.write(to: output, binary: Trace.format(impliedBy: output) == .binary)
        } catch { throw fail(error) }
        print(finding)
        print(
            "fuzz: shrunk from \(result.original?.ops.count ?? finding.ops.count) to \(finding.ops.count) operations; trace: \(output) (softseam replay \(output)); \(summary)"
        )
        throw ExitCode(1)
    }

    /// `N executions (R/s), S statuses, T routes, F findings`.
    static func line(_ s: FuzzCampaign.Stats, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = seconds > 0 ? Int(Double(s.executions) / seconds) : 0
        return "\(s.executions) executions (\(rate)/s), \(s.operations) operations, \(s.statuses) statuses, "
            + "\(s.routes) exit routes, \(s.findings) finding\(s.findings == 1 ? "" : "s"), \(Int(seconds)) s"
    }

    /// The inputs in a corpus directory, in name order (a missing directory is an empty corpus).
    static func readCorpus(_ dir: String) throws(InputError) -> [[UInt8]] {
        guard FileManager.default.fileExists(atPath: dir) else { return [] }
        guard FileHandleShim.isDirectory(dir) else { throw InputError(file: dir, "--corpus must name a directory") }
        guard let names = FileHandleShim.contents(ofDirectory: dir) else {
            throw InputError(file: dir, "cannot list the directory")
        }
        var inputs: [[UInt8]] = []
        for name in names where !name.hasPrefix(".") {
            let path = dir.hasSuffix("/") ? dir + name : dir + "/" + name
            if FileHandleShim.isDirectory(path) { continue }
            let bytes = try FileIO.readAll(path)
            guard bytes.count <= 1 << 20 else {
                throw InputError(
                    file: path, "a corpus input is at most 1 MiB (the decoder reads at most 32 operations)")
            }
            inputs.append(bytes)
        }
        return inputs
    }

    /// Writes each input as DIR/<XXH3 of its bytes, 16 hex digits> (atomically; an existing name is the same
    /// input and is left alone).
    static func writeCorpus(_ inputs: [[UInt8]], to dir: String) throws(InputError) {
        if !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw InputError(file: dir, "cannot create the corpus directory")
            }
        }
        for input in inputs {
            let name = String(input.withUnsafeBytes { XXH3.hash($0) }, radix: 16)
            let path = (dir.hasSuffix("/") ? dir : dir + "/") + String(repeating: "0", count: 16 - name.count) + name
            if FileManager.default.fileExists(atPath: path) { continue }
            try FileIO.write(input, to: path)
        }
    }
}
