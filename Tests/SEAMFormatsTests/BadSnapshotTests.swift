import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

// Snapshot files that are wrong in every way we could think of, and a few hundred seeded random ones: each
// must be refused with an InputError naming the file, the line (1 header, 2 payload) and, for the targeted
// cases, the field, and none may crash. Headers are written out by hand here, as the format describes them.
@Suite struct BadSnapshotTests {
    static let file = "bad.snapshot"

    /// A good file's payload line (without its newline) and the state hash.
    static func good() throws -> (payload: [UInt8], stateHash: UInt64, machine: Machine) {
        let m = try machineInL2()
        let bytes = Snapshot(machine: m).fileBytes()
        let newline = bytes.firstIndex(of: 0x0A)!
        return (Array(bytes[(newline + 1)..<(bytes.count - 1)]), m.stateHash(), m)
    }

    /// A header written by hand; `payloadXXH3` defaults to the right checksum of `payload`.
    static func file(
        _ payload: [UInt8], stateHash: UInt64, payloadXXH3: UInt64? = nil, version: String = "1",
        extra: String = ""
    ) -> [UInt8] {
        let header =
            "{\"softseam\":\"snapshot\",\"version\":\(version),\"state_hash\":\"\(hex64(stateHash))\","
            + "\"payload_xxh3\":\"\(hex64(payloadXXH3 ?? XXH3.hash(payload)))\",\"step\":null,\"comment\":null\(extra)}"
        return Array(header.utf8) + [0x0A] + payload + [0x0A]
    }

    /// The error loading `bytes` throws; records an issue when it loads.
    static func error(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> InputError? {
        do {
            _ = try Snapshot(fileBytes: bytes, file: file)
            Issue.record("a bad snapshot loaded", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    static func expectError(
        _ bytes: [UInt8], line: Int, field: String?, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let e = error(bytes, sourceLocation: sourceLocation) else { return }
        #expect(e.file == file, sourceLocation: sourceLocation)
        #expect(e.line == line, "\(e)", sourceLocation: sourceLocation)
        #expect(e.field == field, "\(e)", sourceLocation: sourceLocation)
    }

    /// `payload` with the first (or last) `old` replaced by `new`.
    static func edited(_ payload: [UInt8], _ old: String, _ new: String, last: Bool = false) -> [UInt8] {
        var s = String(decoding: payload, as: UTF8.self)
        guard let r = last ? s.range(of: old, options: .backwards) : s.range(of: old) else {
            Issue.record("payload lacks \(old)")
            return payload
        }
        s.replaceSubrange(r, with: new)
        return Array(s.utf8)
    }

    @Test func handWrittenHeaderOfAGoodPayloadLoads() throws {
        let g = try BadSnapshotTests.good()
        let s = try Snapshot(fileBytes: BadSnapshotTests.file(g.payload, stateHash: g.stateHash), file: "x")
        #expect(s.machine.differences(from: g.machine).isEmpty)
        #expect(s.step == nil && s.comment == nil)
    }

    @Test func truncatedFilesAreRefused() throws {
        let g = try BadSnapshotTests.good()
        let bytes = BadSnapshotTests.file(g.payload, stateHash: g.stateHash)
        let headerEnd = bytes.firstIndex(of: 0x0A)!
        for cut in [0, 1, 20, headerEnd - 1, headerEnd] {
            BadSnapshotTests.expectError(Array(bytes[..<cut]), line: 1, field: nil)
        }
        BadSnapshotTests.expectError(Array(bytes[...headerEnd]), line: 2, field: nil)  // header only
        BadSnapshotTests.expectError(Array(bytes[..<(bytes.count - 1)]), line: 2, field: nil)  // no final newline
        for cut in [headerEnd + 2, headerEnd + 1000, bytes.count - 2] {
            // Cut and given a final newline again: the checksum no longer matches.
            BadSnapshotTests.expectError(Array(bytes[..<cut]) + [0x0A], line: 2, field: "payload_xxh3")
        }
    }

    @Test func flippedBytesAreRefused() throws {
        let g = try BadSnapshotTests.good()
        var bytes = BadSnapshotTests.file(g.payload, stateHash: g.stateHash)
        let headerEnd = bytes.firstIndex(of: 0x0A)!
        // A byte of the payload: the checksum catches it.
        bytes[headerEnd + 100] ^= 0x01
        BadSnapshotTests.expectError(bytes, line: 2, field: "payload_xxh3")
        // A digit of the header's state hash: still hex, but not the payload's hash.
        let good = BadSnapshotTests.file(g.payload, stateHash: g.stateHash)
        let flipped = BadSnapshotTests.file(g.payload, stateHash: g.stateHash ^ 1 << 60)
        #expect(flipped.count == good.count && zip(flipped, good).filter { $0 != $1 }.count == 1)
        BadSnapshotTests.expectError(flipped, line: 1, field: "state_hash")
        // The header's checksum: the payload no longer matches it.
        let xxh3 = XXH3.hash(g.payload)
        BadSnapshotTests.expectError(
            BadSnapshotTests.file(g.payload, stateHash: g.stateHash, payloadXXH3: xxh3 ^ 0x10), line: 2,
            field: "payload_xxh3")
    }

    @Test func wrongHeadersAreRefusedNamingTheKey() throws {
        let g = try BadSnapshotTests.good()
        let f = { (version: String, extra: String) in
            BadSnapshotTests.file(g.payload, stateHash: g.stateHash, version: version, extra: extra)
        }
        BadSnapshotTests.expectError(f("2", ""), line: 1, field: "version")
        BadSnapshotTests.expectError(f("\"1\"", ""), line: 1, field: "version")
        BadSnapshotTests.expectError(f("1", ",\"extra\":1"), line: 1, field: "extra")
        BadSnapshotTests.expectError(f("1", ",\"step\":-1"), line: 1, field: "step")  // a duplicate key
        let good = String(decoding: f("1", ""), as: UTF8.self)
        func without(_ member: String) -> [UInt8] {
            Array(good.replacingOccurrences(of: member, with: "").utf8)
        }
        BadSnapshotTests.expectError(without("\"softseam\":\"snapshot\","), line: 1, field: "softseam")
        BadSnapshotTests.expectError(without("\"version\":1,"), line: 1, field: "version")
        BadSnapshotTests.expectError(without("\"state_hash\":\"\(hex64(g.stateHash))\","), line: 1, field: "state_hash")
        BadSnapshotTests.expectError(
            without("\"payload_xxh3\":\"\(hex64(XXH3.hash(g.payload)))\","), line: 1, field: "payload_xxh3")
        BadSnapshotTests.expectError(
            Array(good.replacingOccurrences(of: "\"snapshot\"", with: "\"scenario\"").utf8), line: 1, field: "softseam")
        BadSnapshotTests.expectError(
            Array(good.replacingOccurrences(of: "\"state_hash\":\"0x", with: "\"state_hash\":\"0y").utf8), line: 1,
            field: "state_hash")
        BadSnapshotTests.expectError(Array("[1,2]\n".utf8) + g.payload + [0x0A], line: 1, field: nil)
    }

    @Test func payloadsWithAFixedUpChecksumButBrokenStateAreRefusedNamingTheField() throws {
        let g = try BadSnapshotTests.good()
        func expect(_ old: String, _ new: String, last: Bool = false, line: Int = 2, field: String) {
            let p = BadSnapshotTests.edited(g.payload, old, new, last: last)
            BadSnapshotTests.expectError(BadSnapshotTests.file(p, stateHash: g.stateHash), line: line, field: field)
        }
        // A leaf map whose count disagrees with its slots.
        let leaves = "\"leaves\":{\"count\":"
        let text = String(decoding: g.payload, as: UTF8.self)
        let after = text[text.range(of: leaves)!.upperBound...]
        let count = Int(after.prefix { $0.isNumber })!
        expect(leaves + "\(count)", leaves + "\(count + 1)", field: "space.leaves")
        // The first VMCS value dropped: one word short.
        let vmcs = text[text.range(of: "\"vmcs\":[")!.upperBound...]
        let first = vmcs.prefix { $0 != "," }
        expect("\"vmcs\":[\(first),", "\"vmcs\":[", field: "vcpus.0.vmcs")
        // In an L2 VM the TD does not have.
        expect("\"location\":{\"l2\":{\"vm\":1}}", "\"location\":{\"l2\":{\"vm\":7}}", field: "vcpus.0.location")
        // Missing key, wrong type, GPAW 50.
        expect("\"tdEpoch\":1,", "", field: "tdEpoch")
        expect("\"isFatal\":false", "\"isFatal\":3", field: "isFatal")
        expect("\"width\":48", "\"width\":50", last: true, field: "width")
        expect("\"numL2VMs\":3", "\"numL2VMs\":4", field: "numL2VMs")
        expect("\"vcpuCount\":1", "\"vcpuCount\":2", field: "vcpus")
        // Consistent state, but not the one the header's hash names.
        expect("\"tdEpoch\":1,", "\"tdEpoch\":2,", line: 1, field: "state_hash")
    }

    @Test func seededRandomMutationsNeverCrashAndNeverLoadADifferentState() throws {
        let g = try BadSnapshotTests.good()
        let good = BadSnapshotTests.file(g.payload, stateHash: g.stateHash)
        let headerEnd = good.firstIndex(of: 0x0A)!
        var rng = SplitMix64(seed: 0x5EA4_5A4D)
        var refused = [0, 0]
        for round in 0..<400 {
            let fixChecksum = round % 2 == 1  // odd rounds: mutate the payload and make the checksum match
            var b = fixChecksum ? g.payload : good
            let span = UInt64(b.count)
            switch rng.next() % 5 {
            case 0:  // flip one bit
                b[Int(rng.next() % span)] ^= 1 << UInt8(rng.next() % 8)
            case 1:  // one byte becomes another digit (keeps the JSON well-formed more often than not)
                let i = Int(rng.next() % span)
                b[i] = UInt8(ascii: "0") + UInt8(rng.next() % 10)
            case 2:  // delete up to 16 bytes
                let i = Int(rng.next() % span)
                b.removeSubrange(i..<min(b.count, i + 1 + Int(rng.next() % 16)))
            case 3:  // truncate
                b.removeSubrange((Int(rng.next() % span))...)
            default:  // duplicate up to 32 bytes
                let i = Int(rng.next() % span)
                b.insert(contentsOf: b[i..<min(b.count, i + 1 + Int(rng.next() % 32))], at: i)
            }
            let bytes = fixChecksum ? BadSnapshotTests.file(b, stateHash: g.stateHash) : b
            do {
                let s = try Snapshot(fileBytes: bytes, file: BadSnapshotTests.file)
                // Only a mutation that changes nothing the state holds may load (a memo, an empty slot's value).
                #expect(s.machine.recomputedStateHash() == g.stateHash, "round \(round)")
                #expect(s.machine.differences(from: g.machine).isEmpty, "round \(round)")
            } catch {
                refused[fixChecksum ? 1 : 0] += 1
                #expect(error.file == BadSnapshotTests.file, "round \(round)")
                #expect(error.line == 1 || error.line == 2, "round \(round): \(error)")
                if !fixChecksum && headerEnd < bytes.count && bytes[..<headerEnd] == good[..<headerEnd] {
                    #expect(error.line == 2, "round \(round): payload mutation reported as \(error)")
                }
            }
        }
        // Nearly every mutation is caught (a few land where they change nothing).
        #expect(refused[0] >= 190, "whole-file mutations refused: \(refused[0]) of 200")
        #expect(refused[1] >= 150, "checksum-fixed payload mutations refused: \(refused[1]) of 200")
    }
}
