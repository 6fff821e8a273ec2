import SEAMCore
import SEAMFormats

extension Scenario {
    /// The machine after every step, run through the engine as `record` and `alias-map` run them.
    func machineAfter(file: String = "<scenario>") throws(InputError) -> Machine {
        var engine = Engine(machine: Machine(config: config))
        try engine.perform(steps, file: file)
        return engine.machine
    }
}
