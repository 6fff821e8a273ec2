import SEAMCore
import SEAMTypes
import Testing

// GetQuote (TDVMCALL 0x10002, GHCI): the built-in host reads the shared buffer (version, status, in_len, out_len,
// data), checks the TDREPORT's MAC as a quoting enclave does, and writes back status 0, out_len and a SoftSEAM quote
// (Sources/SEAMCore/Measurement/TDQuote.swift), or GET_QUOTE_ERROR. Expected values computed outside SoftSEAM with
// Python (hashlib, hmac, and the `cryptography` package's Ed25519):
//   public key = Ed25519 public key of the seed sha256("SoftSEAM quote key v1")
//   signature  = Ed25519 signature of "SOFTSEAM-QUOTE-1" ‖ 01 00 01 00 00 00 00 00 ‖ public key ‖ the report of
//                TDReportTests (standard TD, REPORTDATA 0xA0…0xDF)
@Suite struct GetQuoteTests {
    static let shared: UInt64 = 1 << 47 | 0x10_0000
    static let publicKey = TDReportTests.bytes("891810fa3db08e539f0a49b49148d5bdb991536d44690433b007d200d7d19553")
    static let signature = TDReportTests.bytes(
        "a8bd570e52d4728b5a8a36ce149d724459c26dbed121809a635e4dfc2a48c18d"
            + "b9ca2c6e0c3ad3e53d4b09076c8b545469e5b6c18f59471fa257caab35d7330b")

    /// The standard TD with its report at 0x4000 and a 2-page shared buffer holding the GHCI header and it.
    static func setUp(report tamper: Bool = false) throws -> (Machine, [UInt8]) {
        var m = try TDReportTests.reported()
        var report = try m.readMemory(gpa: TDReportTests.reportGPA, count: 1024)
        if tamper { report[130] ^= 1 }
        try m.mapShared(gpa: shared, size: 0x2000)
        let header: [UInt8] =
            [1, 0, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [0, 4, 0, 0] + [0, 0, 0, 0]
        try m.writeShared(gpa: shared, header + report)
        return (m, report)
    }

    static func answer(_ m: Machine, r12: UInt64 = shared, r13: UInt64 = 0x2000) -> (RegisterFile, [UInt8]?) {
        var host = BuiltInTDVMCallHost()
        let out = host.entry(after: TDVMCallHostTests.exit(0x10002, r12: r12, r13: r13), vcpu: 0, in: m)
        guard case .write(let w)? = host.sharedOperation else { return (out, nil) }
        #expect(w.gpa == r12)
        return (out, w.bytes)
    }

    @Test func theHostQuotesAReportWithTheModelKey() throws {
        #expect(TDQuote.publicKey == Self.publicKey)
        let (m, report) = try Self.setUp()
        let (out, written) = Self.answer(m)
        #expect(out.r10 == TDVMCallHostTests.success)
        let b = try #require(written)
        #expect(b[8..<16].allSatisfy { $0 == 0 }, "status 0")
        #expect(Array(b[20..<24]) == [0x78, 0x04, 0, 0], "out_len 1144")
        let quote = Array(b[24...])
        #expect(quote.count == 1144)
        #expect(Array(quote[0..<16]) == Array("SOFTSEAM-QUOTE-1".utf8))
        #expect(Array(quote[16..<24]) == [1, 0, 1, 0, 0, 0, 0, 0])
        #expect(Array(quote[24..<56]) == Self.publicKey)
        #expect(Array(quote[56..<1080]) == report)
        #expect(Array(quote[1080...]) == Self.signature)
        #expect(TDQuote.report(inQuote: quote) == report)
        var forged = quote
        forged[200] ^= 1
        #expect(TDQuote.report(inQuote: forged) == nil, "a changed quote fails its signature")
    }

    @Test func aReportWhoseMACIsNotTheTDsIsAQuoteError() throws {
        let (m, _) = try Self.setUp(report: true)
        let (out, written) = Self.answer(m)
        #expect(out.r10 == TDVMCallHostTests.success)
        let b = try #require(written)
        #expect(Array(b[8..<16]) == [0, 0, 0, 0, 0, 0, 0, 0x80], "GET_QUOTE_ERROR")
        #expect(b[20..<24].allSatisfy { $0 == 0 } && b.count == 24, "no quote")
    }

    @Test func theBufferMustBeMappedSharedWholePages() throws {
        let (m, _) = try Self.setUp()
        #expect(Self.answer(m, r12: Self.shared + 0x800).0.r10 == TDVMCallHostTests.alignError)
        #expect(Self.answer(m, r12: 0x10_0000).0.r10 == TDVMCallHostTests.invalidOperand)  // private
        #expect(Self.answer(m, r13: 0x1800).0.r10 == TDVMCallHostTests.invalidOperand)  // not whole pages
        #expect(Self.answer(m, r13: 0x3000).0.r10 == TDVMCallHostTests.invalidOperand)  // third page not mapped
        #expect(Self.answer(m, r12: Self.shared + 0x10_0000).1 == nil)
    }

    /// The whole flow through the step engine: L1's TDG.MR.REPORT, the report and the GHCI header in the shared
    /// buffer, L1's TDG.VP.VMCALL<GetQuote> (RCX selects R10–R13) → TD exit 77 → the built-in host writes the
    /// answer (a recorded host step) and re-enters L1 with R10 = 0 → the quote is in the buffer and verifies.
    @Test func l1GetsAQuoteThroughTheEngineAndTheBuiltInHost() throws {
        let (m, report) = try Self.setUp()
        var engine = Engine(machine: m, observer: StepRecorder())
        var host = BuiltInTDVMCallHost()
        var l2 = ScriptedL2([:])
        var regs = RegisterFile(rax: 0, rcx: 0x3C00, r10: 0, r11: 0x10002)
        regs.r12 = Self.shared
        regs.r13 = 0x2000
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.r10 == 0, "TDG.VP.VMCALL_SUCCESS")
        let b = try engine.machine.readShared(gpa: Self.shared, count: 24 + TDQuote.size)
        #expect(b[8..<16].allSatisfy { $0 == 0 })
        #expect(TDQuote.report(inQuote: Array(b[24...])) == report)
        let steps = engine.observer.steps
        #expect(steps.map(\.actor) == [.l1(vcpu: 0), .host, .host], "TDVMCALL, the answer, TDH.VP.ENTER")
        #expect(steps[1].comment == "GetQuote answer")
    }
}
