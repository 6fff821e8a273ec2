import ArgumentParser
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// `softseam alias-map FILE`: the alias table of a config (JSON) or of the TD a scenario (JSON Lines, with a
/// `"softseam":"scenario"` header) leaves behind. Without FILE, the built-in demo's.
struct AliasMapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias-map",
        abstract: "Print which L2 VMs alias each L1 page, read back with ATTR.RD.")

    @Argument(help: "A config JSON or a scenario JSON Lines file (default: the built-in demo).")
    var file: String?

    @Flag(help: "Print {\"pages\":[…],\"state_hash\":\"0x…\"} instead of the table.")
    var json = false

    func run() throws {
        let machine: Machine
        var labels: [(label: String, gpa: UInt64)] = []
        if let file {
            guard let text = FileHandleShim.read(file) else {
                throw fail(InputError(file: file, "cannot read the file"))
            }
            do {
                if Scenario.isScenario(text) {
                    let scenario = try Scenario.parse(text, file: file)
                    machine = try scenario.machineAfter(file: file)
                    labels = scenario.labels
                } else {
                    machine = Machine(config: try ConfigDecoder.decode(text, file: file))
                }
            } catch {
                throw fail(error)
            }
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
}
