import SEAMCore

/// A problem with a file or value a user supplied (config, scenario, spec table): names the file, the line
/// and the field so the user can fix it without reading SoftSEAM's code.
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
    /// File path, or `<string>` for in-memory input.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// Byte offset in a binary file, when that is the position there is.
    public var byteOffset: Int?
    /// The key or column the problem is in, when there is one.
    public var field: String?
    /// What is wrong, in a sentence fragment.
    public var message: String

    public init(file: String, line: Int? = nil, byteOffset: Int? = nil, field: String? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
        self.field = field
        self.message = message
    }

    /// `config.json:3: memory[0].state: expected "mapped" or "pending", got "mappd"`, or for a binary file
    /// `t.trace.bin: byte 96: step 3.out.rax: the file ends inside the value`.
    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if let byteOffset { s += ": byte \(byteOffset)" }
        s += ": "
        if let field { s += "\(field): " }
        return s + message
    }
}
