import Dispatch
import SEAMCore
import SEAMTypes
import Synchronization

/// A fuzz campaign: inputs generated and mutated from a seed, run with the oracle, coverage kept; the first
/// finding is shrunk. `softseam fuzz` is this plus files and a progress line.
///
///     seed ──▶ job seeds (SplitMix64) ──▶ job j: iteration i ──▶ input (fresh, or a corpus entry mutated)
///                                                              ──▶ FuzzExecution.run (oracle; deep on 1 in 16
///                                                                  and on every input with new coverage)
///                                                              ──▶ new statuses/routes: keep the input
///
/// Deterministic: job j's inputs are a function of the seed, j and the iteration number, and its corpus
/// only of its own earlier iterations; the result is that of the lowest-numbered job with a finding (jobs
/// above it stop early, which cannot change that answer). Only `--minutes` (a time budget) makes how far a
/// job gets depend on the clock.
public enum FuzzCampaign {
    /// What a campaign is asked to do.
    public struct Options: Sendable {
        public var seed: UInt64
        /// Total iterations over all jobs; nil runs until `shouldStop`.
        public var iterations: Int?
        public var jobs: Int
        /// Inputs to start each job's corpus with (e.g. read from --corpus DIR), in a fixed order.
        public var seeds: [[UInt8]]
        /// A bug to plant (debug builds; `PlantedBug`).
        public var plant: PlantedBug?
        public init(seed: UInt64, iterations: Int?, jobs: Int = 1, seeds: [[UInt8]] = [], plant: PlantedBug? = nil) {
            self.seed = seed
            self.iterations = iterations
            self.jobs = jobs
            self.seeds = seeds
            self.plant = plant
        }
    }

    /// Counters a progress line shows (summed over jobs while they run).
    public struct Stats: Sendable {
        public var executions = 0
        public var operations = 0
        public var statuses = 0
        public var routes = 0
        public var findings = 0
        public init() {}
    }

    /// What a campaign found.
    public struct Result: Sendable {
        public var stats: Stats
        /// The first finding (lowest job), shrunk; nil when none.
        public var finding: FuzzFinding?
        /// The finding as first seen, before shrinking.
        public var original: FuzzFinding?
        /// Inputs that reached new statuses or routes (per job, in iteration order; jobs in order).
        public var newInputs: [[UInt8]]
        /// Every job's coverage, merged.
        public var coverage: Coverage
    }

    /// Runs the campaign. `shouldStop` is polled between iterations (the time budget); `progress` gets the
    /// summed counters now and then, from whichever job thread updates them.
    public static func run(
        _ options: Options, shouldStop: @escaping @Sendable () -> Bool = { false },
        progress: @escaping @Sendable (Stats) -> Void = { _ in }
    ) -> Result {
        let jobs = max(options.jobs, 1)
        let shared = Mutex(Shared(jobs: jobs))
        let results = Mutex([JobResult?](repeating: nil, count: jobs))
        DispatchQueue.concurrentPerform(iterations: jobs) { j in
            let budget = options.iterations.map { $0 / jobs + ($0 % jobs > j ? 1 : 0) }
            let r = PlantedBug.withPlanted(options.plant) {
                runJob(
                    j, seed: jobSeed(options.seed, j), iterations: budget, seeds: options.seeds,
                    stop: { shouldStop() || shared.withLock { $0.lowestFinding < j } },
                    report: { delta, coverage in
                        let stats = shared.withLock { s in
                            s.add(delta, coverage)
                            return s.stats
                        }
                        progress(stats)
                    },
                    found: { shared.withLock { $0.lowestFinding = min($0.lowestFinding, j) } })
            }
            results.withLock { $0[j] = r }
        }
        let all = results.withLock { $0.map { $0! } }
        var coverage = Coverage()
        var stats = Stats()
        var newInputs: [[UInt8]] = []
        for r in all {
            coverage.merge(r.coverage)
            stats.executions += r.executions
            stats.operations += r.operations
            stats.findings += r.finding == nil ? 0 : 1
            newInputs += r.newInputs
        }
        stats.statuses = coverage.statuses
        stats.routes = coverage.routes
        let original = all.first { $0.finding != nil }?.finding
        let shrunk = original.map { f in PlantedBug.withPlanted(options.plant) { FuzzShrinker.shrink(f) } }
        return Result(stats: stats, finding: shrunk, original: original, newInputs: newInputs, coverage: coverage)
    }

    struct Shared: Sendable {
        var stats = Stats()
        var coverage = Coverage()
        var lowestFinding: Int
        init(jobs: Int) { lowestFinding = jobs }
        mutating func add(_ delta: Stats, _ c: Coverage) {
            stats.executions += delta.executions
            stats.operations += delta.operations
            stats.findings += delta.findings
            coverage.merge(c)
            stats.statuses = coverage.statuses
            stats.routes = coverage.routes
        }
    }

    struct JobResult: Sendable {
        var executions = 0
        var operations = 0
        var coverage = Coverage()
        var newInputs: [[UInt8]] = []
        var finding: FuzzFinding?
    }

    /// Job `j`'s seed.
    static func jobSeed(_ seed: UInt64, _ j: Int) -> UInt64 {
        var g = SplitMix64(seed: seed)
        var s = g.next()
        for _ in 0..<j { s = g.next() }
        return s
    }

    static func runJob(
        _ j: Int, seed: UInt64, iterations: Int?, seeds: [[UInt8]], stop: () -> Bool,
        report: (Stats, Coverage) -> Void, found: () -> Void
    ) -> JobResult {
        var r = JobResult()
        var corpus = seeds
        var pending = Stats()
        var i: UInt64 = 0
        while iterations.map({ Int(i) < $0 }) ?? true {
            if i & 255 == 0 {
                report(pending, r.coverage)
                pending = Stats()
                if stop() { break }
            }
            let input = nextInput(seed: seed, iteration: i, corpus: corpus)
            i += 1
            let (shape, ops) = FuzzDecoder.decode(input)
            var cov: Coverage? = Coverage()
            var finding = input.withUnsafeBytes {
                FuzzExecution.run(shape: shape, ops: ops, deep: FuzzExecution.isDeep($0), coverage: &cov)
            }
            r.executions += 1
            r.operations += ops.count
            pending.executions += 1
            pending.operations += ops.count
            if finding == nil, let c = cov, r.coverage.lacksSome(of: c) {
                r.coverage.merge(c)
                corpus.append(input)
                r.newInputs.append(input)
                // New behaviour gets every check: the whole-run ones, and its trace's two forms replayed.
                var none: Coverage? = nil
                finding = FuzzExecution.run(shape: shape, ops: ops, deep: true, coverage: &none)
                if finding == nil, let problem = FindingTrace.formsAgree(FindingTrace.trace(shape: shape, ops: ops)) {
                    finding = FuzzFinding(
                        shape: shape, ops: ops, opIndex: ops.count,
                        violation: .init(invariant: "trace-forms", message: problem))
                }
            }
            if let finding {
                r.finding = finding
                pending.findings += 1
                found()
                break
            }
        }
        report(pending, r.coverage)
        return r
    }

    /// Iteration `iteration`'s input: every other one (when there is a corpus) a corpus entry mutated,
    /// else a fresh random input.
    static func nextInput(seed: UInt64, iteration: UInt64, corpus: [[UInt8]]) -> [UInt8] {
        var g = SplitMix64(seed: iterationSeed(seed, iteration))
        guard !corpus.isEmpty, g.next() & 1 == 0 else { return freshInput(seed: seed, iteration: iteration) }
        var input = corpus[Int(g.next() % UInt64(corpus.count))]
        for _ in 0...(g.next() % 4) { mutate(&input, &g, corpus: corpus) }
        return input
    }

    /// One havoc-style mutation: a byte replaced, a boundary byte written, bytes inserted or deleted, or the
    /// tail of another corpus entry spliced on.
    static func mutate(_ input: inout [UInt8], _ g: inout SplitMix64, corpus: [[UInt8]]) {
        let r = g.next()
        let at = input.isEmpty ? 0 : Int(r >> 8 % UInt64(input.count))
        switch r % 5 {
        case 0 where !input.isEmpty: input[at] = UInt8(truncatingIfNeeded: g.next())
        case 1 where !input.isEmpty: input[at] = [0, 0xFF, 0x7F, 0x80, 1][Int(g.next() % 5)]
        case 2:
            let n = Int(g.next() % 16) + 1
            input.insert(contentsOf: (0..<n).map { _ in UInt8(truncatingIfNeeded: g.next()) }, at: at)
        case 3 where input.count > 1:
            let n = min(Int(g.next() % 16) + 1, input.count - at)
            input.removeSubrange(at..<(at + n))
        default:
            let other = corpus[Int(g.next() % UInt64(corpus.count))]
            input =
                Array(input.prefix(at))
                + other.suffix(from: Int(g.next() % UInt64(max(other.count, 1))) % max(other.count, 1))
        }
        if input.count > 4096 { input.removeLast(input.count - 4096) }
    }

    /// The seed of iteration `iteration` of a job seeded `seed`: SplitMix64 of a mix of both, so neighbouring
    /// iterations get unrelated generators.
    static func iterationSeed(_ seed: UInt64, _ iteration: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C908 &* (iteration &+ 1))
        return g.next()
    }

    /// A fresh random input: 1 to 256 bytes (about 16 operations on average, at most 32).
    public static func freshInput(seed: UInt64, iteration: UInt64) -> [UInt8] {
        var g = SplitMix64(seed: iterationSeed(seed, iteration))
        let n = Int(g.next() % 256) + 1
        var bytes = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            var w = g.next()
            for _ in 0..<8 where i < n {
                bytes[i] = UInt8(truncatingIfNeeded: w)
                w >>= 8
                i += 1
            }
        }
        return bytes
    }
}
