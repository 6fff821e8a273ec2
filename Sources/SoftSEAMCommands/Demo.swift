import ArgumentParser
import SEAMCore
import SEAMTypes

/// `softseam demo`: runs the built-in default scenario (`AliasTableDemo`) and prints the alias table as
/// read back with ATTR.RD, the number of TDCALLs and the final state hash.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the built-in default scenario: an L1 builds the seed talk's alias table over 3 L2 VMs.")

    @Flag(help: "Print {\"pages\":[…],\"state_hash\":\"0x…\"} instead of the table.")
    var json = false

    @Option(name: .customLong("emit-scenario"), help: "Also write the L1's calls as a scenario file (JSON Lines).")
    var emitScenario: String?

    func run() throws {
        let result = AliasTableDemo.run()
        let map = AliasMap(result.machine, labels: result.scenario.labels)
        if let path = emitScenario {
            try FileHandleShim.write(result.scenario.jsonLines(), to: path)
        }
        if json {
            print(map.json(stateHash: result.machine.stateHash()))
            return
        }
        print(
            "SoftSEAM demo: a TD with 3 L2 VMs (TDX module \(result.machine.profile.version), \(result.machine.width));"
        )
        print("L1 aliases pages A–H with TDG.MEM.PAGE.ATTR.WR and accepts the pending E–H. Read back with ATTR.RD:")
        print("")
        print(map.text())
        print("")
        print("L1 TDCALLs: \(result.tdcalls)")
        print("state hash: \(hex64(result.machine.stateHash()))")
    }
}
