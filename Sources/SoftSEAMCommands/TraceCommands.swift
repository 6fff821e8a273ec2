import ArgumentParser
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// Reading and writing the files the trace commands take.
enum TraceFiles {
    /// The inputs of a scenario, or of a full trace (an l1-observed one lacks the host and L2 steps a
    /// scenario needs).
    static func scenario(_ path: String) throws(InputError) -> Scenario {
        let (variant, scenario) = try Trace.inputs(ofFile: path)
        guard variant == .full else {
            throw InputError(file: path, field: "variant", "an l1-observed trace cannot be re-recorded as a scenario")
        }
        return scenario
    }

    /// Whether an output path asks for the binary form.
    static func wantsBinary(_ path: String, _ flag: Bool) -> Bool { flag || path.hasSuffix(".bin") }
}

/// `softseam record SCENARIO -o TRACE`: runs a scenario (or a trace's inputs) and writes its trace.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its trace (outputs and the state hash after every step).")

    @Argument(help: "A scenario (JSON Lines) or a trace whose inputs to run again.")
    var scenario: String?

    @Option(name: .shortAndLong, help: "The trace file to write (binary when it ends in .bin).")
    var output: String

    @Flag(help: "Write the compact binary form whatever the file name.")
    var binary = false

    @Flag(help: "Write what L1 alone would have recorded (its TDCALLs and outputs; no host steps, no hashes).")
    var l1Observed = false

    @Option(
        help: "Record a built-in scenario instead of a file: alias-table or l2-boot (the default demo's two parts).")
    var builtin: String?

    func validate() throws {
        guard (scenario == nil) != (builtin == nil) else {
            throw ValidationError("give a scenario file or --builtin, not both and not neither")
        }
        if let builtin, !["alias-table", "l2-boot"].contains(builtin) {
            throw ValidationError("--builtin must be alias-table or l2-boot")
        }
    }

    func run() throws {
        let s: Scenario
        let name: String
        if let builtin {
            s = builtin == "alias-table" ? AliasTableDemo.run().scenario : L2BootDemo.run().scenario
            name = "<builtin \(builtin)>"
        } else {
            name = scenario!
            do { s = try TraceFiles.scenario(name) } catch { throw fail(error) }
        }
        do throws(InputError) {
            var trace = try Trace.record(s, file: name)
            if l1Observed { trace = try trace.observedByL1(file: name) }
            try trace.write(to: output, binary: TraceFiles.wantsBinary(output, binary))
            var stderr = StandardError()
            print(
                "softseam: recorded \(trace.count) steps to \(output)"
                    + (trace.variant == .full ? ", final state hash \(hash16(trace.outcomes.last?.hash ?? 0))" : ""),
                to: &stderr)
        } catch {
            throw fail(error)
        }
    }
}

/// `softseam snapshot TRACE --after N -o FILE`: the machine after step N of a trace, as a snapshot file that
/// `softseam replay TRACE --from FILE` starts from.
struct SnapshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Save the machine state after a step of a trace (or scenario).")

    @Argument(help: "A trace (either form) or a scenario.")
    var trace: String

    @Option(help: "The step after which to save (0 = the TD as its config builds it).")
    var after: Int

    @Option(name: .shortAndLong, help: "The snapshot file to write.")
    var output: String

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
    }

    func run() throws {
        do throws(InputError) {
            let m = try TraceFiles.machine(after: after, of: trace, field: "after").machine
            try Snapshot(machine: m, step: after, comment: "after step \(after) of \(trace)").write(to: output)
            var stderr = StandardError()
            print(
                "softseam: saved the state after step \(after) to \(output), state hash \(hash16(m.stateHash()))",
                to: &stderr)
        } catch {
            throw fail(error)
        }
    }
}

/// `softseam trace convert IN -o OUT`: JSON Lines ⇄ binary, losslessly.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "Work with trace files.", subcommands: [Convert.self])

    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Convert a trace between JSON Lines and the binary form (the other form by default).")

        @Argument(help: "A trace file (either form).")
        var input: String

        @Option(name: .shortAndLong, help: "The file to write.")
        var output: String

        @Option(help: "json or binary (default: the form the input is not).")
        var to: String?

        @Flag(help: "Keep only what L1 alone would have recorded (from a full trace).")
        var l1Observed = false

        func validate() throws {
            if let to, to != "json" && to != "binary" { throw ValidationError("--to must be json or binary") }
        }

        func run() throws {
            guard let bytes = FileHandleShim.readBytes(input) else {
                throw fail(InputError(file: input, "cannot read the file"))
            }
            do throws(InputError) {
                var trace = try Trace.load(bytes, file: input)
                if l1Observed {
                    guard trace.variant == .full else {
                        throw InputError(file: input, field: "variant", "already l1-observed")
                    }
                    trace = try trace.observedByL1(file: input)
                }
                let binary = to.map { $0 == "binary" } ?? !Trace.isBinary(bytes)
                try trace.write(to: output, binary: binary)
            } catch {
                throw fail(error)
            }
        }
    }
}
