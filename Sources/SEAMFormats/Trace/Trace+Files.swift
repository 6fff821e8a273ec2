import SEAMCore

extension Trace {
    /// Writes the trace to `path` as JSON Lines or, with `binary`, in the binary form — through a temporary
    /// file renamed over `path`, so a failure leaves nothing half-written.
    /// - Throws: `InputError` naming the file and the cause.
    public func write(to path: String, binary: Bool) throws(InputError) {
        try FileIO.writeAtomically(binary ? self.binary() : Array(jsonLines().utf8), to: path)
    }

    /// The inputs in a file that is a trace (either form) or a scenario: the variant (`.full` for a scenario)
    /// and the steps with their config. The one reader behind `softseam record`, `softseam snapshot` and the C
    /// ABI's L2 events files.
    /// - Throws: `InputError` naming the file, and the line and field when the contents are malformed.
    public static func inputs(ofFile path: String) throws(InputError) -> (variant: Variant, scenario: Scenario) {
        let bytes = try FileIO.readAll(path)
        if isBinary(bytes) {
            let t = try Trace(binary: bytes, file: path)
            return (t.variant, t.scenario)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputError(file: path, "not UTF-8 text")
        }
        if isJSONTrace(text) {
            let t = try parse(text, file: path)
            return (t.variant, t.scenario)
        }
        return (.full, try Scenario.parse(text, file: path))
    }
}
