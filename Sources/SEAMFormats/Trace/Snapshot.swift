import Foundation
import SEAMCore
import SEAMTypes

/// A whole machine state as a file, to stop a run and pick it up later, or to hand a failing state to
/// someone else.
///
///     line 1  {"softseam":"snapshot","version":1,"state_hash":"0x…","payload_xxh3":"0x…","step":N,"comment":…}
///     line 2  the Machine as JSON (synthesized Codable, keys sorted), XXH3-64 of its bytes = payload_xxh3
///
///     bytes ──header──▶ checksum ──JSONDecoder──▶ Machine ──validateDecoded──▶ recomputedStateHash == state_hash
///
/// Loading never trusts the file: every step that fails throws an `InputError` naming the file, the line
/// (1 = header, 2 = payload) and the field (a header key, or the payload's coding path such as
/// `vcpus.0.vmcs`), and a machine is only returned once its invariants and its state hash check out.
/// Writing is deterministic: the same machine state, step and comment give the same bytes.
public struct Snapshot: Sendable {
    /// The state.
    public var machine: Machine
    /// The trace step the snapshot was taken after, if it came from a trace.
    public var step: Int?
    /// Free text for whoever reads the file.
    public var comment: String?

    public init(machine: Machine, step: Int? = nil, comment: String? = nil) {
        self.machine = machine
        self.step = step
        self.comment = comment
    }

    /// The `softseam` value of the header.
    public static let kind = "snapshot"
    /// The header's `version`: bump it when the payload's meaning changes. (A field added to `Machine`
    /// changes the payload's keys, and an older file then fails with that key missing.)
    public static let version = 1
    /// The header keys, in the order they are written.
    static let headerKeys = ["softseam", "version", "state_hash", "payload_xxh3", "step", "comment"]
}

extension Snapshot {
    /// The file: header line, newline, payload line, newline.
    public func fileBytes() -> [UInt8] {
        let payload = Snapshot.encode(machine.droppingMemos())
        let step = self.step.map(String.init) ?? "null"
        let comment = self.comment.map { String(decoding: Snapshot.encode($0), as: UTF8.self) } ?? "null"
        let header =
            "{\"softseam\":\"\(Snapshot.kind)\",\"version\":\(Snapshot.version),"
            + "\"state_hash\":\"\(hex64(machine.stateHash()))\",\"payload_xxh3\":\"\(hex64(XXH3.hash(payload)))\","
            + "\"step\":\(step),\"comment\":\(comment)}"
        return Array(header.utf8) + [0x0A] + payload + [0x0A]
    }

    /// Reads a snapshot from the bytes of `file` (the name is only used in errors).
    public init(fileBytes bytes: [UInt8], file: String) throws(InputError) {
        func headerError(_ field: String?, _ message: String) -> InputError {
            InputError(file: file, line: 1, field: field, message)
        }
        guard let newline = bytes.firstIndex(of: 0x0A) else {
            throw headerError(nil, "no newline after the header: not a snapshot, or truncated")
        }
        let header = try Header(
            JSONParser.parse(String(decoding: bytes[..<newline], as: UTF8.self), file: file), file: file)
        var payload = Array(bytes[(newline + 1)...])
        guard payload.last == 0x0A else {
            throw InputError(file: file, line: 2, field: nil, "the payload does not end with a newline: truncated")
        }
        payload.removeLast()
        let checksum = XXH3.hash(payload)
        guard checksum == header.payloadXXH3 else {
            throw InputError(
                file: file, line: 2, field: "payload_xxh3",
                "the payload's XXH3-64 is \(hex64(checksum)), the header says \(hex64(header.payloadXXH3))")
        }
        var machine: Machine
        do {
            machine = try JSONDecoder().decode(Machine.self, from: Data(payload))
        } catch let e as DecodingError {
            throw Snapshot.inputError(e, file: file)
        } catch {
            throw InputError(file: file, line: 2, field: "payload", "cannot decode: \(error)")
        }
        if let (field, message) = machine.validateDecoded() {
            throw InputError(file: file, line: 2, field: field, message)
        }
        let hash = machine.recomputedStateHash()
        guard hash == header.stateHash else {
            throw headerError(
                "state_hash", "the payload's state hashes to \(hex64(hash)), the header says \(hex64(header.stateHash))"
            )
        }
        self.init(machine: machine, step: header.step, comment: header.comment)
    }

    /// JSON with sorted keys: the same value always gives the same bytes.
    static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            preconditionFailure("machine state always encodes (no floats, no non-string keys): \(error)")
        }
    }

    /// A decoding error of the payload as an `InputError` on line 2, its coding path as the field.
    static func inputError(_ e: DecodingError, file: String) -> InputError {
        func path(_ keys: [any CodingKey]) -> String {
            let s = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return s.isEmpty ? "payload" : s
        }
        switch e {
        case .keyNotFound(let key, let c):
            return InputError(file: file, line: 2, field: path(c.codingPath + [key]), "missing")
        case .typeMismatch(let type, let c):
            return InputError(file: file, line: 2, field: path(c.codingPath), "expected \(type): \(c.debugDescription)")
        case .valueNotFound(let type, let c):
            return InputError(file: file, line: 2, field: path(c.codingPath), "expected \(type), got null")
        case .dataCorrupted(let c):
            return InputError(file: file, line: 2, field: path(c.codingPath), c.debugDescription)
        @unknown default:
            return InputError(file: file, line: 2, field: "payload", "cannot decode: \(e)")
        }
    }
}

/// The header line, checked key by key.
struct Header {
    var stateHash: UInt64 = 0
    var payloadXXH3: UInt64 = 0
    var step: Int?
    var comment: String?

    init(_ node: JSONNode, file: String) throws(InputError) {
        func fail(_ field: String?, _ message: String) -> InputError {
            InputError(file: file, line: 1, field: field, message)
        }
        guard case .object(let members) = node.value else {
            throw fail(nil, "the header must be a JSON object, got \(node.typeName)")
        }
        if let unknown = members.first(where: { !Snapshot.headerKeys.contains($0.key) }) {
            throw fail(unknown.key, "unknown header key")
        }
        func member(_ key: String) throws(InputError) -> JSONNode {
            guard let v = node[key] else { throw fail(key, "missing") }
            return v
        }
        guard case .string(Snapshot.kind) = try member("softseam").value else {
            throw fail("softseam", "expected \"\(Snapshot.kind)\": this is not a snapshot file")
        }
        guard case .number(let v) = try member("version").value, Int(v) == Snapshot.version else {
            throw fail("version", "expected \(Snapshot.version): a snapshot written by another SoftSEAM")
        }
        stateHash = try Header.hex(member("state_hash"), "state_hash", fail)
        payloadXXH3 = try Header.hex(member("payload_xxh3"), "payload_xxh3", fail)
        switch node["step"]?.value {
        case nil, .null?: step = nil
        case .number(let s)?:
            guard let n = Int(s), n >= 0 else { throw fail("step", "expected a step number, got \(s)") }
            step = n
        case _?: throw fail("step", "expected a number or null")
        }
        switch node["comment"]?.value {
        case nil, .null?: comment = nil
        case .string(let s)?: comment = s
        case _?: throw fail("comment", "expected a string or null")
        }
    }

    /// `"0x…"` with 1 to 16 hexadecimal digits.
    static func hex(_ node: JSONNode, _ key: String, _ fail: (String?, String) -> InputError) throws(InputError)
        -> UInt64
    {
        guard case .string(let s) = node.value, s.hasPrefix("0x"), (3...18).contains(s.count),
            let v = UInt64(s.dropFirst(2), radix: 16)
        else { throw fail(key, "expected a \"0x…\" 64-bit hex string") }
        return v
    }
}
