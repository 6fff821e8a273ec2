import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

/// Truncated, garbled, reordered and wrong-version traces (Traces/FORMAT.md): each one either parses — and
/// then renders, parses and converts back to what it was — or fails with the file, the line (or byte
/// offset) and the field. Nothing traps, and the binary replay's fast path accepts exactly what the reader
/// accepts. Mutants come from MutationSupport.swift, from fixed seeds.
@Suite struct MutationTests {
    @Test(arguments: Mutants.JSONKind.allCases)
    func jsonLinesMutantFailsWithFileLineAndFieldOrRoundTrips(_ kind: Mutants.JSONKind) throws {
        let mutants = try Mutants.json(kind)
        var problems: [String] = []
        var parsed = 0
        for m in mutants {
            if check(json: m, &problems) { parsed += 1 }
        }
        #expect(mutants.count == kind.perSource * Mutants.jsonSources.count)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(25).joined(separator: "\n"))")
        if kind == .garbledByte { #expect(parsed > 0, "some garbled bytes (in a comment, a digit) still parse") }
    }

    @Test(arguments: Mutants.BinaryKind.allCases)
    func binaryMutantFailsWithByteOffsetAndFieldOrConvertsLosslessly(_ kind: Mutants.BinaryKind) throws {
        let mutants = try Mutants.binary(kind)
        var problems: [String] = []
        var parsed = 0
        for m in mutants {
            if check(binary: m, &problems) { parsed += 1 }
        }
        #expect(mutants.count == kind.perSource * Mutants.binarySources.count)
        #expect(problems.isEmpty, "\(problems.count) problems:\n\(problems.prefix(25).joined(separator: "\n"))")
        if kind == .flippedByteChecksumFixed { #expect(parsed > 0, "some flipped bytes (a value, a comment) parse") }
    }

    @Test func atLeastAThousandMutantsRunThroughTheParsers() throws {
        var count = 0
        for kind in Mutants.JSONKind.allCases { count += try Mutants.json(kind).count }
        #expect(count >= 600)
        var binary = 0
        for kind in Mutants.BinaryKind.allCases { binary += try Mutants.binary(kind).count }
        #expect(binary >= 400)
        #expect(count + binary >= 1000)
    }

    /// Mutants are made again from their seeds: the same bytes every time.
    @Test func mutantsAreTheSameEveryRun() throws {
        #expect(try Mutants.json(.garbledByte).map(\.bytes) == Mutants.json(.garbledByte).map(\.bytes))
        #expect(
            try Mutants.binary(.flippedByteChecksumFixed).map(\.bytes)
                == Mutants.binary(.flippedByteChecksumFixed).map(\.bytes))
    }

    /// Parses a JSON Lines mutant; true when it parsed. What is wrong goes to `problems`.
    func check(json m: Mutants.Mutant, _ problems: inout [String]) -> Bool {
        let result = Result { () throws(InputError) in try Trace.parse(m.text, file: m.file) }
        // Trace.load reads the bytes (not the repaired text): it agrees, and a non-UTF-8 file has a position.
        let loaded = Result { () throws(InputError) in try Trace.load(m.bytes, file: m.file) }
        if case .failure(let e) = loaded, e.line == nil && e.byteOffset == nil {
            problems.append("\(m.label): Trace.load error without a line or byte offset: \(e)")
        }
        switch result {
        case .failure(let e):
            check(error: e, of: m, position: e.line != nil, "a line", &problems)
            return false
        case .success(let t):
            if case .fails = m.verdict { problems.append("\(m.label): parsed, must fail") }
            if case .failsNaming = m.verdict { problems.append("\(m.label): parsed, must fail") }
            if case .failure(let e) = loaded, String(validating: m.bytes, as: UTF8.self) != nil {
                problems.append("\(m.label): parse accepts, load refuses: \(e)")
            }
            let rendered = t.jsonLines()
            do {
                let again = try Trace.parse(rendered, file: "rendered")
                if again.jsonLines() != rendered { problems.append("\(m.label): render → parse → render differs") }
                let converted = try Trace(binary: t.binary(), file: "converted")
                if converted.jsonLines() != rendered { problems.append("\(m.label): binary conversion differs") }
            } catch {
                problems.append("\(m.label): its rendering does not read back: \(error)")
            }
            // A parsed mutant replays to a match, a divergence or an input error; a trap ends the run.
            _ = try? Replayer.replay(t, file: m.file)
            return true
        }
    }

    /// Parses and replays a binary mutant; true when it parsed. What is wrong goes to `problems`.
    func check(binary m: Mutants.Mutant, _ problems: inout [String]) -> Bool {
        let result = Result { () throws(InputError) in try Trace(binary: m.bytes, file: m.file) }
        let replay = Result { () throws(InputError) in try Replayer.replay(binary: m.bytes, file: m.file) }
        switch result {
        case .failure(let e):
            check(error: e, of: m, position: e.byteOffset != nil, "a byte offset", &problems)
            if e.field == nil { problems.append("\(m.label): no field in \(e)") }
            // The general path stops at the same bad record, or at a divergence before it; only a fast path
            // that accepts what `next()` refuses reports a match.
            if case .success(let r) = replay, r.matches {
                problems.append("\(m.label): the reader refuses (\(e)), replay(binary:) matches")
            }
            return false
        case .success(let t):
            if case .fails = m.verdict { problems.append("\(m.label): parsed, must fail") }
            do {
                if try Trace.parse(t.jsonLines(), file: "converted").binary() != m.bytes {
                    problems.append("\(m.label): binary → JSON → binary differs")
                }
            } catch {
                problems.append("\(m.label): the reader accepts it, its JSON Lines form does not parse: \(error)")
            }
            // Fast path (with the general one behind it) and general path alone: the same answer.
            let general = Result { () throws(InputError) in try Replayer.replay(t, file: m.file) }
            switch (replay, general) {
            case (.success(let a), .success(let b)):
                if a.matches != b.matches || a.replayed != b.replayed || a.divergence?.step != b.divergence?.step
                    || a.finalHash != b.finalHash
                {
                    problems.append(
                        "\(m.label): replay(binary:) \(a.matches ? "matches" : "diverges at \(a.divergence!.step)"), "
                            + "replay(trace) \(b.matches ? "matches" : "diverges at \(b.divergence!.step)")")
                }
            case (.failure(let a), .failure(let b)):
                if a != b { problems.append("\(m.label): replay errors differ: \(a) / \(b)") }
            case (.success, .failure(let b)):
                problems.append("\(m.label): replay(binary:) returns, replay(trace): \(b)")
            case (.failure(let a), .success): problems.append("\(m.label): replay(binary:) \(a), replay(trace) returns")
            }
            return true
        }
    }

    func check(
        error e: InputError, of m: Mutants.Mutant, position: Bool, _ what: String, _ problems: inout [String]
    ) {
        if e.file != m.file { problems.append("\(m.label): error names file \(e.file)") }
        if !position { problems.append("\(m.label): no \(what) in \(e)") }
        switch m.verdict {
        case .either, .fails(fields: nil): break
        case .fails(let fields?):
            if !fields.contains(e.field ?? "") {
                problems.append("\(m.label): field \(e.field ?? "nil"), expected one of \(fields): \(e)")
            }
        case .failsNaming(let keys):
            let last = e.field?.split(separator: ".").last.map(String.init) ?? ""
            if !keys.contains(last) {
                problems.append("\(m.label): field \(e.field ?? "nil"), expected one naming \(keys): \(e)")
            }
        }
    }
}
