/// A problem with a file or value a user supplied (config, scenario, spec table): names the file, the line
/// and the field so the user can fix it without reading SoftSEAM's code.
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
    /// File path, or `<string>` for in-memory input.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// The key or column the problem is in, when there is one.
    public var field: String?
    /// What is wrong, in a sentence fragment.
    public var message: String

    public init(file: String, line: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// `config.json:3: memory[0].state: expected "mapped" or "pending", got "mappd"`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        s += ": "
        if let field { s += "\(field): " }
        return s + message
    }
}
