import ArgumentParser
import SEAMCore
import SEAMFormats
import SEAMTypes

/// `softseam replay TRACE…`: re-runs each trace's inputs and stops at the first step whose outputs or state
/// hash differ. Exit 0 when every file matches, 1 on a divergence, 2 on a file that cannot be read (the
/// other files are still replayed and reported).
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay traces; report the first divergent step with a field-level diff.",
        discussion: """
            Each TRACE is a trace file (JSON Lines or binary), - for standard input, or a directory, whose \
            *.trace.jsonl and *.trace.bin files are replayed in name order (a directory with none is an error). \
            A matching trace can still warn about interrupt delivery: an event delivered twice to the same VM \
            (e.g. re-injected by the module from IDT-vectoring information and injected again by L1), or a \
            vector stranded in an L2 virtual IRR above RVI (lost until L1 raises RVI). \
            Exit codes: 0 all match, 1 a divergence (or, with --delivery-errors, a delivery warning), 2 a bad file.
            """)

    @Argument(help: "Trace files or directories; - for standard input.")
    var traces: [String]

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Flag(help: "Treat delivery warnings (double deliveries, stranded vectors) as errors: exit 1.")
    var deliveryErrors = false

    @Option(help: "Replay only every n-th file, starting at the i-th (0-based): i/n, e.g. 0/4 … 3/4.")
    var shard: String?

    @Option(
        help: "Start from this snapshot (taken after some step of the trace; - for standard input); one trace only.")
    var from: String?

    func validate() throws {
        _ = try shardNumbers()
        if from != nil && traces.count != 1 { throw ValidationError("--from takes one trace") }
        if traces.count { $0 == "-" } + (from == "-" ? 1 : 0) > 1 {
            throw ValidationError("standard input (-) can be read once: give it to one TRACE or to --from")
        }
    }

    /// Shard `index` of `count`: every `count`-th file from the `index`-th (0-based), so the shards 0…count−1
    /// together take every file once.
    static func shard(_ files: [String], index: Int, of count: Int) -> [String] {
        files.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    func shardNumbers() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
            throw ValidationError("--shard must be i/n with 0 ≤ i < n, e.g. 0/4")
        }
        return (i, n)
    }

    /// The files to replay: each argument that is a directory stands for its *.trace.jsonl and *.trace.bin
    /// files in name order (none is an error: a CI job pointed at the wrong directory must not pass).
    static func files(_ arguments: [String]) throws(InputError) -> [String] {
        var files: [String] = []
        for path in arguments {
            guard path != "-" && FileHandleShim.isDirectory(path) else {
                files.append(path)
                continue
            }
            guard let names = FileHandleShim.contents(ofDirectory: path) else {
                throw InputError(file: path, "cannot list the directory")
            }
            let found = names.filter { $0.hasSuffix(".trace.jsonl") || $0.hasSuffix(".trace.bin") }
            guard !found.isEmpty else {
                throw InputError(
                    file: path,
                    "no traces found in \(path) (replay reads the *.trace.jsonl and *.trace.bin files of a directory)")
            }
            files += found.map { path.hasSuffix("/") ? path + $0 : path + "/" + $0 }
        }
        return files
    }

    func run() throws {
        var reports: [FileReport] = []
        var stderr = StandardError()
        var files: [String]
        do { files = try Self.files(traces) } catch { throw fail(error) }
        if let (i, n) = try shardNumbers() { files = Replay.shard(files, index: i, of: n) }
        var start: (machine: Machine, afterStep: Int)?
        if let from {
            do throws(InputError) {
                let snapshot = try Snapshot.read(path: from, dashIsStandardInput: true)
                guard let step = snapshot.step else {
                    throw InputError(
                        file: FileIO.displayName(from, output: false), line: 1, field: "step",
                        "the snapshot names no trace step to start after")
                }
                start = (snapshot.machine, step)
            } catch {
                throw fail(error)
            }
        }
        var progress = Progress(total: files.count)
        for (n, file) in files.enumerated() {
            progress.file(n, file)
            reports.append(
                FileReport.replay(file, start: start) { steps in progress.steps(n, file, steps) })
        }
        if json {
            print(
                "{\"files\":[" + reports.map(\.json).joined(separator: ",") + "],"
                    + "\"matched\":\(reports.count { $0.status == .match }),"
                    + "\"diverged\":\(reports.count { $0.status == .diverged }),"
                    + "\"errors\":\(reports.count { $0.status == .error })}")
        } else {
            for r in reports { print(r.text) }
            let steps = reports.compactMap { $0.result.map { $0.replayed - $0.startedAfter } }.reduce(0, +)
            print(
                "replayed \(reports.count) file\(reports.count == 1 ? "" : "s"), \(steps) steps: "
                    + "\(reports.count { $0.status == .match }) match, \(reports.count { $0.status == .diverged }) diverge, "
                    + "\(reports.count { $0.status == .error }) unreadable")
        }
        for r in reports where r.status == .error { print("softseam: \(r.error!)", to: &stderr) }
        if reports.contains(where: { $0.status == .error }) { throw ExitCode(2) }
        if reports.contains(where: { $0.status == .diverged }) { throw ExitCode(1) }
        if deliveryErrors && reports.contains(where: { !($0.result?.warnings.isEmpty ?? true) }) { throw ExitCode(1) }
    }
}

/// A progress line on stderr once a run has taken more than a second, then at most once a second.
struct Progress {
    let total: Int
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    var lastShown: ContinuousClock.Instant?

    init(total: Int) {
        self.total = total
        started = clock.now
    }

    mutating func file(_ n: Int, _ name: String) { show("file \(n + 1) of \(total), \(name)") }
    mutating func steps(_ n: Int, _ name: String, _ steps: Int) {
        show("file \(n + 1) of \(total), \(name): step \(steps)")
    }

    mutating func show(_ what: String) {
        let now = clock.now
        guard now - started > .seconds(1), lastShown.map({ now - $0 >= .seconds(1) }) ?? true else { return }
        lastShown = now
        var stderr = StandardError()
        let elapsed = now - started
        print("replay: \(what) (\(elapsed.components.seconds) s)", to: &stderr)
    }
}

/// One file's outcome, as text and JSON.
struct FileReport {
    enum Status: String { case match, diverged, error }
    var file: String
    var result: ReplayResult?
    var error: InputError?

    var status: Status { error != nil ? .error : result!.matches ? .match : .diverged }

    static func replay(_ file: String, start: (machine: Machine, afterStep: Int)?, progress: @escaping (Int) -> Void)
        -> FileReport
    {
        let name = FileIO.displayName(file, output: false)
        do {
            let bytes = try FileIO.readAll(file, dashIsStandardInput: true)
            let result =
                Trace.isBinary(bytes)
                ? try Replayer.replay(binary: bytes, file: name, start: start, progress: progress)
                : try Replayer.replay(Trace.load(bytes, file: name), file: name, start: start, progress: progress)
            return FileReport(file: name, result: result)
        } catch {
            return FileReport(file: name, error: error)
        }
    }

    var text: String {
        if let error { return "ERROR \(file): \(error)" }
        let r = result!
        let warnings = r.warnings.map {
            "WARN  \(file): step \($0.step)\($0.line > 0 ? " (line \($0.line))" : ""): \($0.message)"
        }
        guard let d = r.divergence else {
            return
                ([
                    "OK    \(file): \(r.replayed - r.startedAfter) steps match"
                        + (r.startedAfter > 0 ? " (from the snapshot after step \(r.startedAfter))" : "")
                        + (r.variant == .full
                            ? ", final state hash \(hash16(r.finalHash))" : " (l1-observed: outputs only)")
                ]
                + warnings).joined(separator: "\n")
        }
        var lines = [
            "DIVERGES \(file): step \(d.step)\(d.line > 0 ? " (line \(d.line))" : ""): \(Self.describe(d.input))"
        ]
        if let c = d.input.comment { lines.append("  comment: \(c)") }
        let width = max(5, d.fields.map(\.field.count).max() ?? 0)
        lines.append("  " + pad("field", width) + "  " + pad("expected", 22) + "  actual")
        for f in d.fields { lines.append("  " + pad(f.field, width) + "  " + pad(f.expected, 22) + "  " + f.actual) }
        func registerTable(_ title: String, _ e: RegisterFile?, _ a: RegisterFile?) {
            guard e != nil || a != nil else { return }
            lines.append("  \(title) (expected | actual; * differs):")
            for i in 0..<16 {
                let x = e.map { hexShort($0[i]) } ?? "—"
                let y = a.map { hexShort($0[i]) } ?? "—"
                lines.append(
                    "   \(x == y ? " " : "*") " + pad(RegisterFile.names[i], 3) + "  " + pad(x, 20) + "  " + y)
            }
        }
        registerTable("registers returned", d.expected.registers, d.actual.registers)
        registerTable(
            "result registers", Self.resultRegisters(d.expected.result), Self.resultRegisters(d.actual.result))
        lines.append(
            "  result: expected \(Replayer.describe(d.expected.result)), actual \(Replayer.describe(d.actual.result))")
        if d.expectedUnchanged {
            lines.append("  the trace's hash is the state before this step: it expected no change")
        }
        if d.stateChanges.isEmpty {
            lines.append("  model state changed by this step: nothing")
        } else {
            lines.append("  model state changed by this step (before → after, replaying):")
            for c in d.stateChanges { lines.append("    \(c.field): \(c.before) → \(c.after)") }
        }
        return lines.joined(separator: "\n")
    }

    static func resultRegisters(_ r: StepResult) -> RegisterFile? {
        switch r {
        case .tdExit(let regs), .l1(let regs): regs
        default: nil
        }
    }

    /// `L1 vCPU 0 TDCALL TDG.MEM.PAGE.ATTR.WR (24)`, `host SEAMCALL 0`, `L2 VM1 vCPU 0 cpuid`.
    static func describe(_ s: Step) -> String {
        switch s.actor {
        case .host: return "host SEAMCALL \(SEAMCallLeaf(UInt16(truncatingIfNeeded: s.registers.rax)))"
        case .l1(let vcpu):
            if let w = s.write { return "L1 vCPU \(vcpu) stores \(w.bytes.count) bytes at \(hexShort(w.gpa))" }
            return "L1 vCPU \(vcpu) TDCALL \(Leaf(UInt16(truncatingIfNeeded: s.registers.rax)))"
        case .l2(let vm, let vcpu):
            return "L2 VM\(vm) vCPU \(vcpu) event \(s.events.map { "\($0)" }.joined(separator: ", "))"
        }
    }

    var json: String {
        var out = "{\"file\":\"\(jsonEscaped(file))\",\"status\":\"\(status.rawValue)\""
        if let error {
            out += ",\"error\":{\"message\":\"\(jsonEscaped(error.message))\""
            if let l = error.line { out += ",\"line\":\(l)" }
            if let b = error.byteOffset { out += ",\"byte_offset\":\(b)" }
            if let f = error.field { out += ",\"field\":\"\(jsonEscaped(f))\"" }
            return out + "}}"
        }
        let r = result!
        out += ",\"variant\":\"\(r.variant.rawValue)\",\"steps\":\(r.steps),\"replayed\":\(r.replayed)"
        out += ",\"started_after\":\(r.startedAfter),\"final_hash\":\"\(hash16(r.finalHash))\""
        out += ",\"warnings\":["
        out += r.warnings.map {
            "{\"step\":\($0.step),\"line\":\($0.line),\"message\":\"\(jsonEscaped($0.message))\"}"
        }.joined(separator: ",")
        out += "]"
        if let d = r.divergence {
            out +=
                ",\"divergence\":{\"step\":\(d.step),\"line\":\(d.line),\"input\":\"\(jsonEscaped(Self.describe(d.input)))\""
            if let c = d.input.comment { out += ",\"comment\":\"\(jsonEscaped(c))\"" }
            out += ",\"fields\":["
            out += d.fields.map {
                "{\"field\":\"\(jsonEscaped($0.field))\",\"expected\":\"\(jsonEscaped($0.expected))\",\"actual\":\"\(jsonEscaped($0.actual))\"}"
            }.joined(separator: ",")
            out += "],\"expected_result\":\"\(jsonEscaped(Replayer.describe(d.expected.result)))\""
            out += ",\"actual_result\":\"\(jsonEscaped(Replayer.describe(d.actual.result)))\""
            out += ",\"expected_unchanged\":\(d.expectedUnchanged),\"state_changes\":["
            out += d.stateChanges.map {
                "{\"field\":\"\(jsonEscaped($0.field))\",\"before\":\"\(jsonEscaped($0.before))\",\"after\":\"\(jsonEscaped($0.after))\"}"
            }.joined(separator: ",")
            out += "]}"
        }
        return out + "}"
    }
}

func pad(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
