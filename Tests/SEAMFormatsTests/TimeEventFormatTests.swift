import Foundation
import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

/// The L2 `time` event in both trace forms (Traces/FORMAT.md): `{"time":"0x…"}` in JSON Lines, tag 21 and a u64
/// tick count in the binary form; Traces/tsc-deadline.trace.jsonl holds every timer outcome.
struct TimeEventFormatTests {
    static let name = "tsc-deadline.trace.jsonl"

    /// The events of the trace's L2 steps that are `time` events, in order.
    static func timeEvents(_ t: Trace) -> [UInt64] {
        t.steps.flatMap(\.events).compactMap { if case .time(let n) = $0 { n } else { nil } }
    }

    @Test func theTSCDeadlineTraceRoundTripsThroughBothFormsAndReplays() throws {
        let t = try Corpus.trace(Self.name)
        // Hand-written in Traces/scenarios/tsc-deadline.scenario.jsonl.
        #expect(Self.timeEvents(t) == [0xFFF, 0x10, 0x10_0000, 0x100, 0x2_0000_0000])
        let json = try Trace.parse(t.jsonLines(), file: "t.jsonl")
        #expect(json.steps == t.steps)
        #expect(json.outcomes == t.outcomes)
        let bin = try Trace(binary: t.binary(), file: "t.bin")
        #expect(Self.timeEvents(bin) == Self.timeEvents(t))
        #expect(bin.outcomes == t.outcomes)
        #expect(try Replayer.replay(binary: t.binary(), file: "t.bin").matches)
        #expect(try Replayer.replay(json, file: "t.jsonl").matches)
    }

    @Test func theBinaryFormIsTag21AndALittleEndianTickCount() throws {
        var t = try Corpus.trace(Self.name)
        let k = try #require(t.steps.firstIndex { $0.events == [.time(ticks: 0xFFF)] })
        t.scenario.steps[k].events = [.time(ticks: 0x0102_0304_0506_0708)]
        let bytes = try t.binary()
        let encoded: [UInt8] = [21, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01]
        let found = (0...(bytes.count - encoded.count)).contains { Array(bytes[$0..<($0 + encoded.count)]) == encoded }
        #expect(found, "tag 21 then the u64 ticks, little-endian")
        #expect(Self.timeEvents(try Trace(binary: bytes, file: "t.bin")).first == 0x0102_0304_0506_0708)
    }

    @Test func aTimeStepThatDoesNotMatchIsADivergence() throws {
        var t = try Corpus.trace(Self.name)
        // At TSC 0xFFF, 0x10 ticks reach the deadline 0x1000 after 1; 0 ticks do not reach it, so L2
        // continues instead of exiting 52.
        let k = try #require(t.steps.firstIndex { $0.events == [.time(ticks: 0x10)] })
        t.scenario.steps[k].events = [.time(ticks: 0)]
        let r = try Replayer.replay(try Trace.parse(t.jsonLines(), file: "t.jsonl"), file: "t.jsonl")
        #expect(r.divergence?.step == k + 1)
    }
}
