import ArgumentParser
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// `softseam demo`: runs the built-in default scenario (`AliasTableDemo`) and prints the alias table as
/// read back with ATTR.RD, the number of TDCALLs and the final state hash; then runs the L2 boot scenario
/// (`L2BootDemo`) and prints its exit log, the mode L2 reached and that TD's state hash.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the built-in scenarios: the seed talk's alias table, then an L2 booted into long mode.")

    @Flag(help: "Print {\"pages\":[…],\"state_hash\":\"0x…\",\"l2_boot\":{\"exits\":[…],…}} instead of tables.")
    var json = false

    @Flag(
        name: .customLong("l1-view"),
        help:
            "Print only what the L2 boot's L1 sees (its exits, L2's mode, the state hash), as Examples/l1-minimal does."
    )
    var l1View = false

    @Option(
        name: .customLong("emit-scenario"),
        help: "Also write the alias table L1's calls as a scenario file (JSON Lines); - prints only the scenario.")
    var emitScenario: String?

    func run() throws {
        let result = AliasTableDemo.run()
        let map = AliasMap(result.machine, labels: result.scenario.labels)
        if let path = emitScenario {
            do throws(InputError) {
                try FileIO.write(Array(result.scenario.jsonLines().utf8), to: path, dashIsStandardOutput: true)
            } catch {
                throw fail(error)
            }
            if path == "-" { return }  // standard output holds the scenario alone
        }
        let boot = L2BootDemo.run()
        if l1View {
            for line in boot.l1View { print(line) }
            return
        }
        if json {
            // The alias table's object, with the L2 boot run added as one more member.
            print(String(map.json(stateHash: result.machine.stateHash()).dropLast()) + ",\"l2_boot\":\(boot.json())}")
            return
        }
        for line in Demo.text(result, map, boot) { print(line) }
    }

    /// What `softseam demo` prints, line by line (README.md's samples are checked against it).
    static func text(_ result: AliasTableDemo.Result, _ map: AliasMap, _ boot: L2BootDemo.Result) -> [String] {
        [
            "SoftSEAM demo: a TD with 3 L2 VMs (TDX module \(result.machine.profile.version), \(result.machine.width));",
            "L1 aliases pages A–H with TDG.MEM.PAGE.ATTR.WR and accepts the pending E–H. Read back with ATTR.RD:",
            "",
        ] + map.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [
            "",
            "L1 TDCALLs: \(result.tdcalls)",
            "state hash: \(hex64(result.machine.stateHash()))",
            "",
            "L2 boot: a TD with 2 L2 VMs; L1 builds its alias table, then boots VM1 from the reset vector through",
            "real mode and protected mode into long mode, where L2's TSC-deadline timer fires and L1 injects its",
            "interrupt. Every exit on the way (route: L1, module or host), every event the CPU delivered to L2 and",
            "every EOI it virtualized (route: CPU):",
            "",
        ] + boot.lines + [
            "",
            "L2 reached \(boot.modeAtEnd) (TDG.VP.RD of guest CR0, EFER, entry controls, CS AR).",
            "serial console: \"\(boot.serial)\"",
            "L1 TDCALLs + L2 events: \(boot.steps)",
            "state hash: \(hex64(boot.stateHash))",
        ]
    }
}
