import SEAMCore

/// A small JSON reader that remembers the line of every value, so configs, scenarios and traces can report
/// "file:line: field: problem". Foundation's JSONSerialization reports no position for a value that parses
/// but is wrong, which is most of what users get wrong.
///
///     text ──parse──▶ JSONNode (value + line) ──ConfigDecoder / scenario readers──▶ typed values or InputError
package struct JSONNode: Sendable {
    package indirect enum Value: Sendable {
        case null
        case bool(Bool)
        /// The number's lexeme, kept exact so 64-bit integers survive.
        case number(String)
        case string(String)
        case array([JSONNode])
        /// Members in file order (duplicate keys are rejected by the parser).
        case object([(key: String, value: JSONNode)])
    }

    package var value: Value
    /// 1-based line where the value starts.
    package var line: Int

    package var typeName: String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Member `key` of an object, or nil.
    package subscript(key: String) -> JSONNode? {
        if case .object(let members) = value { return members.first { $0.key == key }?.value }
        return nil
    }

    /// The members of an object, in order; none for any other value.
    package var objectMembers: [(key: String, value: JSONNode)] {
        if case .object(let members) = value { return members }
        return []
    }

    /// Throws for the first member whose key is not in `known`: "unknown key (known: …)", field `prefix.key`
    /// (the key alone without a prefix), at `line` when given, else at the member's own line.
    package func rejectUnknownKeys(_ known: [String], file: String, prefix: String? = nil, line: Int? = nil)
        throws(InputError)
    {
        for (k, v) in objectMembers where !known.contains(k) {
            throw InputError(
                file: file, line: line ?? v.line, field: prefix.map { "\($0).\(k)" } ?? k,
                "unknown key (known: \(known.joined(separator: ", ")))")
        }
    }
}

/// Parses JSON text into `JSONNode`s; errors carry the file and line.
package struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0
    private var line: Int
    private let file: String

    /// Parses one JSON value filling the whole of `text` (surrounding whitespace allowed).
    package static func parse(_ text: String, file: String, firstLine: Int = 1) throws(InputError) -> JSONNode {
        var p = JSONParser(bytes: Array(text.utf8), line: firstLine, file: file)
        p.skipSpace()
        let v = try p.parseValue(depth: 0)
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.error("unexpected text after the JSON value") }
        return v
    }

    private init(bytes: [UInt8], line: Int, file: String) {
        self.bytes = bytes
        self.line = line
        self.file = file
    }

    private func error(_ message: String) -> InputError {
        InputError(file: file, line: line, "malformed JSON: \(message)")
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x0A: line += 1; i += 1
            case 0x20, 0x09, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ literal: String) throws(InputError) {
        for b in literal.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw error("expected '\(literal)'") }
            i += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(InputError) -> JSONNode {
        guard depth < 64 else { throw error("nesting deeper than 64") }
        guard i < bytes.count else { throw error("unexpected end of input") }
        let startLine = line
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(key: String, value: JSONNode)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1; return JSONNode(value: .object(members), line: startLine)
            }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let keyLine = line
                let key = try parseString()
                if members.contains(where: { $0.key == key }) {
                    throw InputError(file: file, line: keyLine, field: key, "duplicate key")
                }
                skipSpace()
                try expect(":")
                skipSpace()
                members.append((key, try parseValue(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw error("expected ',' or '}' in an object")
            }
            return JSONNode(value: .object(members), line: startLine)
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1; return JSONNode(value: .array(items), line: startLine)
            }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of input in an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                throw error("expected ',' or ']' in an array")
            }
            return JSONNode(value: .array(items), line: startLine)
        case UInt8(ascii: "\""):
            return JSONNode(value: .string(try parseString()), line: startLine)
        case UInt8(ascii: "t"):
            try expect("true"); return JSONNode(value: .bool(true), line: startLine)
        case UInt8(ascii: "f"):
            try expect("false"); return JSONNode(value: .bool(false), line: startLine)
        case UInt8(ascii: "n"):
            try expect("null"); return JSONNode(value: .null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return JSONNode(value: .number(try parseNumber()), line: startLine)
        default:
            throw error("unexpected character '\(String(decoding: [bytes[i]], as: UTF8.self))'")
        }
    }

    private mutating func parseNumber() throws(InputError) -> String {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        guard digits(&self) > 0 else { throw error("a number needs digits") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw error("a fraction needs digits") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw error("an exponent needs digits") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func parseString() throws(InputError) -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else { throw error("unterminated string") }
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw error("unterminated escape") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count,
                        let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16)
                    else { throw error("bad \\u escape") }
                    i += 4
                    // Surrogate pairs are not needed by any SoftSEAM file; a lone surrogate becomes U+FFFD.
                    let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("bad escape '\\\(String(decoding: [e], as: UTF8.self))'")
                }
            case 0x0A:
                throw error("newline inside a string")
            default:
                guard b >= 0x20 else { throw error("control character inside a string") }
                out.append(b)
            }
        }
    }
}
