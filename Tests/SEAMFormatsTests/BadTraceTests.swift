import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

/// Trace files the mutation tests (MutationTests) found wrongly reported or wrongly accepted, one case each:
/// every error names the file, a line or byte offset and the field, and the binary reader refuses what the
/// JSON Lines reader refuses, so a binary trace that reads always converts.
@Suite struct BadTraceTests {
    static let file = "bad.trace"

    /// The error reading `body` throws; records an issue when it reads.
    static func error(
        _ body: () throws(InputError) -> Trace, sourceLocation: SourceLocation = #_sourceLocation
    ) -> InputError? {
        do {
            _ = try body()
            Issue.record("a bad trace was read", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.file == file, sourceLocation: sourceLocation)
            return error
        }
    }

    /// `bytes` with the binary trailer's checksum recomputed.
    static func checksumFixed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let sum = XXH3.hash(Array(b[..<(b.count - 8)]))
        for i in 0..<8 { b[b.count - 8 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        return b
    }

    @Test(arguments: ["", "\n", "  \n\n"])
    func anEmptyTraceIsReportedAtLineOne(_ text: String) {
        let e = Self.error { () throws(InputError) in try Trace.parse(text, file: Self.file) }
        #expect(e?.line == 1)
    }

    @Test func aTraceThatIsNotUTF8NamesTheLineOfTheFirstBadByte() throws {
        var bytes = try Corpus.bytes("td-build.trace.jsonl")
        let third = bytes.indices.filter { bytes[$0] == 0x0A }[1] + 1
        bytes[third + 5] = 0xFF
        let e = Self.error { () throws(InputError) in try Trace.load(bytes, file: Self.file) }
        #expect(e?.line == 3)
    }

    @Test func aBinaryHeaderThatIsNotJSONNamesTheHeader() throws {
        var bytes = try Corpus.trace("td-build.trace.jsonl").binary()
        // Magic, version and length are 16 bytes; the header's "{" is next.
        #expect(bytes[16] == UInt8(ascii: "{"))
        bytes[16] = UInt8(ascii: "x")
        let bad = Self.checksumFixed(bytes)
        let e = Self.error { () throws(InputError) in try Trace(binary: bad, file: Self.file) }
        #expect(e?.field == "header")
        #expect(e?.byteOffset == 16)
    }

    /// Events the JSON form refuses (L2Event+JSON.swift), written into a binary trace's first L2 step.
    static let eventsJSONRefuses: [L2Event] = [
        .exception(vector: 40, errorCode: nil), .exception(vector: 2, errorCode: nil),
        .exit(ExitReason(10), qualification: 0, instructionLength: 16),
    ]

    @Test(arguments: eventsJSONRefuses)
    func theBinaryReaderRefusesAnL2EventTheJSONFormRefuses(_ event: L2Event) throws {
        var trace = try Corpus.trace("l2-msr-io.trace.jsonl")
        let i = try #require(trace.steps.firstIndex { if case .l2 = $0.actor { true } else { false } })
        trace.scenario.steps[i].events = [event]
        let bytes = trace.binary()
        let e = Self.error { () throws(InputError) in try Trace(binary: bytes, file: Self.file) }
        #expect(e?.field == "step \(i + 1).event")
        #expect(e?.byteOffset != nil)
        let replay = Result { () throws(InputError) in try Replayer.replay(binary: bytes, file: Self.file) }
        #expect((try? replay.get())?.matches != true, "the replay's fast path refuses it too")
    }

    @Test func theBinaryReaderRefusesAHostStepInAnL1ObservedTrace() throws {
        var trace = try Corpus.trace("l2-boot-demo.l1-observed.trace.jsonl")
        trace.scenario.steps[0].actor = .host
        let bytes = trace.binary()
        let e = Self.error { () throws(InputError) in try Trace(binary: bytes, file: Self.file) }
        #expect(e?.field == "step 1.actor")
        #expect(e?.byteOffset != nil)
    }
}
