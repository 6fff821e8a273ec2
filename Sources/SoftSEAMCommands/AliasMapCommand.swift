import ArgumentParser
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// `softseam alias-map FILE`: the alias table of a config (JSON), or of the TD a scenario (JSON Lines, with a
/// `"softseam":"scenario"` header) or a trace (either form, either variant) leaves behind, or of a snapshot. `-` reads standard
/// input. Without FILE, the built-in demo's.
struct AliasMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias-map",
        abstract: "Print which L2 VMs alias each L1 page, read back with ATTR.RD.")

    @Argument(
        help:
            "A config (JSON), a scenario (JSON Lines), a trace (either form) or a snapshot; - for standard input (default: the built-in demo)."
    )
    var file: String?

    @Flag(help: "Print {\"pages\":[…],\"state_hash\":\"0x…\"} instead of the table.")
    var json = false

    func run() throws {
        let machine: Machine
        var labels: [(label: String, gpa: UInt64)] = []
        if let file {
            do { (machine, labels) = try Self.machine(of: file) } catch { throw fail(error) }
        } else {
            let demo = AliasTableDemo.run()
            machine = demo.machine
            labels = demo.scenario.labels
        }
        let map = AliasMap(machine, labels: labels)
        if json {
            map.writeJSON(stateHash: machine.stateHash()) { print($0, terminator: "") }
            print()
        } else {
            print(map.text())
        }
    }

    /// The machine a file describes, with its page labels: a config builds it; a scenario or trace (either
    /// form, either variant) runs its steps on the TD its config builds; a snapshot holds it.
    static func machine(of file: String) throws(InputError) -> (Machine, labels: [(label: String, gpa: UInt64)]) {
        let name = FileIO.displayName(file, output: false)
        let bytes = try FileIO.readAll(file, dashIsStandardInput: true)
        let kind = Trace.isBinary(bytes) ? "trace" : Scenario.headerKind(of: try FileIO.text(bytes, file: name))
        switch kind {
        case nil:
            return (Machine(config: try ConfigDecoder.decode(FileIO.text(bytes, file: name), file: name)), [])
        case "scenario", "trace":
            let (variant, scenario) = try Trace.inputs(of: bytes, file: name)
            return (try scenario.machineAfter(variant: variant, file: name), scenario.labels)
        case Snapshot.kind:
            return (try Snapshot(fileBytes: bytes, file: name).machine, [])
        case let kind?:
            throw InputError(
                file: name, field: "softseam",
                "\"\(kind)\" is not a file alias-map reads: give a config, a scenario, a trace or a snapshot")
        }
    }
}
