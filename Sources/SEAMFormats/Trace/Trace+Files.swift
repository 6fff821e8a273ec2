import SEAMCore

extension Trace {
    /// The two file forms of a trace (Traces/FORMAT.md).
    public enum FileFormat: String, Sendable, CaseIterable {
        case json = "JSON Lines"
        case binary
    }

    /// The form a file name stands for: a name ending in `.bin` is binary, one ending in `.jsonl` or `.json`
    /// JSON Lines (letter case ignored); any other name stands for neither.
    public static func format(impliedBy path: String) -> FileFormat? {
        let name = path.lowercased()
        if name.hasSuffix(".bin") { return .binary }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".json") { return .json }
        return nil
    }

    /// The form to write the trace file `path` in — one rule for `softseam record`, `softseam trace convert`
    /// and the C ABI's `softseam_trace_start`: the form the name stands for (`format(impliedBy:)`); a form
    /// asked for explicitly (`requested`) that contradicts the name is an error naming both; any other name
    /// takes the form asked for, else `fallback`.
    /// - Throws: `InputError` naming the file, field `format`.
    public static func format(for path: String, requested: FileFormat?, fallback: FileFormat) throws(InputError)
        -> FileFormat
    {
        guard let implied = format(impliedBy: path) else { return requested ?? fallback }
        if let requested, requested != implied {
            let suffix = implied == .binary ? ".bin" : (path.lowercased().hasSuffix(".json") ? ".json" : ".jsonl")
            throw InputError(
                file: path, field: "format",
                "the name ends in \(suffix), which means \(implied.rawValue), but \(requested.rawValue) was asked for; "
                    + "rename the file or ask for \(implied.rawValue)")
        }
        return implied
    }

    /// Writes the trace to `path` as JSON Lines or, with `binary`, in the binary form — atomically (a
    /// temporary file renamed over `path`, so a failure leaves nothing half-written) when `path` is new or a
    /// regular file, straight through for a device, a FIFO or `/dev/stdout` (`FileIO`). With
    /// `dashIsStandardOutput`, `-` is standard output.
    /// - Throws: `InputError` naming the file and the cause.
    public func write(to path: String, binary: Bool, dashIsStandardOutput: Bool = false) throws(InputError) {
        try FileIO.write(
            binary ? self.binary() : Array(jsonLines().utf8), to: path, dashIsStandardOutput: dashIsStandardOutput)
    }

    /// The inputs in a file that is a trace (either form) or a scenario: the variant (`.full` for a scenario)
    /// and the steps with their config. The one reader behind `softseam record`, `softseam snapshot` and the C
    /// ABI's L2 events files. With `dashIsStandardInput`, `-` is standard input.
    /// - Throws: `InputError` naming the file, and the line and field when the contents are malformed.
    public static func inputs(ofFile path: String, dashIsStandardInput: Bool = false) throws(InputError) -> (
        variant: Variant, scenario: Scenario
    ) {
        let bytes = try FileIO.readAll(path, dashIsStandardInput: dashIsStandardInput)
        return try inputs(of: bytes, file: dashIsStandardInput ? FileIO.displayName(path, output: false) : path)
    }

    /// `inputs(ofFile:)` of a file's bytes; `file` names it in errors.
    public static func inputs(of bytes: [UInt8], file: String) throws(InputError) -> (
        variant: Variant, scenario: Scenario
    ) {
        if isBinary(bytes) {
            let t = try Trace(binary: bytes, file: file)
            return (t.variant, t.scenario)
        }
        let text = try FileIO.text(bytes, file: file)
        if isJSONTrace(text) {
            let t = try parse(text, file: file)
            return (t.variant, t.scenario)
        }
        return (.full, try Scenario.parse(text, file: file))
    }
}
