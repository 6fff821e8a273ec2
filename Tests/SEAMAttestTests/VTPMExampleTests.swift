import Crypto
import SEAMAttest
import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing
import VTPMExample

// The vTPM example (Examples/vtpm-l1) and the verifier (softseam attest verify). Expected values were computed
// outside SoftSEAM with Python's hashlib, hmac and the `cryptography` package, from the example's bytes as its
// source defines them (the L1 image text, the firmware page with its label and F4 EB FD at 0xFF0, the TD HOB):
//   MRTD       = SHA-384 of the 128-byte blocks "MEM.PAGE.ADD"/"MR.EXTEND" ‖ GPA (tdh_mem_page_add.c, tdh_mr_extend.c)
//                for 0x100000 (ADD, then 16 × EXTEND + 256 bytes of the image page), then ADD of 0x110000,
//                0x200000, 0x201000, 0x202000, 0x400000, 0xFFFFF000, in config order
//   RTMR[0]    = SHA-384(SHA-384(0⁴⁸ ‖ SHA-384(TD HOB)) ‖ SHA-384(00000000)); RTMR[1..3] = SHA-384(0⁴⁸ ‖ SHA-384(00000000))
//   PCR[0]     = SHA-384(0⁴⁸ ‖ SHA-384(firmware page))
//   EK         = the Ed25519 public key of the seed SHA-256("SoftSEAM vTPM EK v1" ‖ SHA-384(TD HOB))
//   REPORTDATA = SHA-384(EK public key) ‖ 16 zero bytes
//   MAC        = HMAC-SHA-256 under SHA-256("SoftSEAM TDREPORT MAC key v1" ‖ LE 1, 1, 48, 0, 3) of the 224 bytes
//                0x81 … CPUSVN 0, SHA-384(TEE_TCB_INFO), SHA-384(TDINFO built from the values above), REPORTDATA
@Suite struct VTPMExampleTests {
    static func bytes(_ hex: String) -> [UInt8] {
        stride(from: 0, to: hex.count, by: 2).map {
            let i = hex.index(hex.startIndex, offsetBy: $0)
            return UInt8(hex[i..<hex.index(i, offsetBy: 2)], radix: 16)!
        }
    }

    static let mrtd = bytes(
        "2c1ff21e836967dc80c2cd9eab59fac3a6dc23c4d81ab14c0a4d40154b2e8fa04988d0cc789667d3ea87d050bc6c597f")
    static let mrtdOfChangedL1 = bytes(
        "d00ad067fdecab80011ee0672efa629559e735ed3adede39cdc3dc00e8a19a3b9fdfd8e2c01453ccf719293924c75b53")
    static let rtmr0 = bytes(
        "92d2af8f01054a52866571e26fcd9b56ab9a365916f15cb6d39fb8be2d61f28d2ef2636f2a46c9fa0b970e0dad7b2967")
    static let rtmr0WithoutSeparator = bytes(
        "8d7b4f9ad1d5a345e1008039e08eda4381704cf42e2d916ce86e74c479672e9b6f3b0a437f387f2dc821c2b8157e0041")
    static let rtmr123 = bytes(
        "518923b0f955d08da077c96aaba522b9decede61c599cea6c41889cfbea4ae4d50529d96fe4d1afdafb65e7f95bf23c4")
    static let pcr0 = bytes(
        "e83931d79555369be6a6b712e1a85e7f3c127418d157460c929bcf87c9db511d48a40f3aeb010fa81de94103686924fe")
    static let ek = bytes("0c15c114cb68858a4b6fbe4f36737e3ea33152b3fd00c92a2a7097b3953f39b4")
    static let reportData = bytes(
        "63375c084e22396bc670c0547b121bd1cd3eaa185ee0a92de9c15acf75a249c27763c63e5710e518f8d807d93f7f3dba"
            + "00000000000000000000000000000000")
    static let mac = bytes("c63fac5c4ac06bf43839ef655cfa9d489468ec5836fd30158ba9239540e75597")

    /// The TDREPORT L1 took (at 0x202000 of its memory).
    static func report(_ r: VTPMExample.Result) throws -> [UInt8] {
        try r.machine.readMemory(gpa: 0x20_2000, count: 1024)
    }
    static func rtmr(_ report: [UInt8], _ i: Int) -> [UInt8] { Array(report[720 + 48 * i..<768 + 48 * i]) }

    @Test func theReportHoldsTheIndependentlyComputedMeasurements() throws {
        let r = try VTPMExample.run()
        let report = try Self.report(r)
        #expect(Array(report[528..<576]) == Self.mrtd)
        #expect(Self.rtmr(report, 0) == Self.rtmr0)
        for i in 1..<4 { #expect(Self.rtmr(report, i) == Self.rtmr123, "RTMR[\(i)]") }
        #expect(Array(report[128..<192]) == Self.reportData)
        #expect(Array(report[224..<256]) == Self.mac)
        #expect(r.evidence.pcrQuote.value(ofPCR: 0) == Self.pcr0)
        let certificate = try EKCertificate.parse(Array(r.evidence.ekCertificate.utf8))
        #expect(certificate.ekPublicKey == Self.ek)
        #expect(certificate.selfSigned)
        // The quote in the certificate carries this very report.
        #expect(certificate.quote.flatMap(TDQuote.report(inQuote:)) == report)
    }

    @Test func l2DetectsTheVTPMReadsPCR0AndCannotTakeAReport() throws {
        let r = try VTPMExample.run()
        // Detect and PCR read: L2→L1 exits 77; twelve 4-byte OUTs to the debug port (30); TDG.MR.REPORT: exit 77
        // too (only L1 can take a report); then HLT (12).
        #expect(r.l2Exits == [77, 77] + [UInt32](repeating: 30, count: 12) + [77, 12])
        #expect(r.l2Printed == Self.pcr0)
        // L1 answered L2's TDG.MR.REPORT with OPERAND_INVALID(RAX) in L2's RAX (the guest-state buffer's word 0).
        let rax = try r.machine.readMemory(gpa: 0x20_0000, count: 8)
        #expect(rax == [0, 0, 0, 0, 0, 1, 0, 0xC0])
    }

    @Test func theEvidenceVerifies() throws {
        let r = try VTPMExample.run()
        let report = EvidenceVerifier.verify(r.evidence, against: VTPMExample.reference())
        #expect(report.links.map(\.outcome) == [.ok, .ok, .ok, .ok, .ok])
        #expect(report.exitCode == 0)
        #expect(VTPMExample.reference().mrtd == Self.mrtd)
    }

    @Test func theRunIsDeterministic() throws {
        let a = try VTPMExample.run(), b = try VTPMExample.run()
        #expect(a.evidence.json == b.evidence.json)
        #expect(a.stateHash == b.stateHash)
        #expect(a.steps == b.steps)
        // Golden pin (state-hash format 6), once the tests above have checked what the run computes: a change to
        // any step of the flow shows here.
        #expect(a.stateHash == 0x83D5_BE99_7738_8A7D)
        #expect(a.steps.count == 120)
    }

    // MARK: Each broken link, with its reason

    static func verify(_ o: VTPMExample.Options) throws -> EvidenceVerifier.Report {
        EvidenceVerifier.verify(try VTPMExample.run(o).evidence, against: VTPMExample.reference())
    }

    @Test func aChangedL1ImageBreaksTheL1Measurement() throws {
        var o = VTPMExample.Options()
        o.l1Image[0] ^= 1
        let r = try VTPMExample.run(o)
        #expect(Array(try Self.report(r)[528..<576]) == Self.mrtdOfChangedL1)
        let v = EvidenceVerifier.verify(r.evidence, against: VTPMExample.reference())
        #expect(v.firstFailure == .l1Measurement)
        #expect(v.exitCode == 11)
        #expect(v.links[1].detail.contains("MRTD"))
    }

    @Test func aChangedL2FirmwareBreaksTheL2Measurement() throws {
        var o = VTPMExample.Options()
        o.l2Firmware[0x800] = 0x90
        let v = try Self.verify(o)
        #expect(v.firstFailure == .l2Measurement)
        #expect(v.exitCode == 13)
        #expect(v.links.map(\.outcome) == [.ok, .ok, .ok, .failed, .ok])
        #expect(v.links[3].detail.hasPrefix("PCR[0] is "))
    }

    @Test func aMissingSeparatorIsItsOwnFailure() throws {
        var o = VTPMExample.Options()
        o.extendsSeparator = false
        let r = try VTPMExample.run(o)
        #expect(Self.rtmr(try Self.report(r), 0) == Self.rtmr0WithoutSeparator)
        #expect(Self.rtmr(try Self.report(r), 1) == [UInt8](repeating: 0, count: 48))
        let v = EvidenceVerifier.verify(r.evidence, against: VTPMExample.reference())
        #expect(v.links.map(\.outcome) == [.ok, .ok, .ok, .ok, .failed])
        #expect(v.exitCode == 14)
        #expect(v.links[4].detail == "RTMR[1,2,3] do not hold exactly the SEPARATOR")
    }

    @Test func reportDataNotBoundToTheEKBreaksTheBinding() throws {
        var o = VTPMExample.Options()
        o.bindsEK = false
        let v = try Self.verify(o)
        #expect(v.firstFailure == .ekBinding)
        #expect(v.exitCode == 12)
        #expect(v.links[2].detail.hasPrefix("REPORTDATA is not SHA-384"))
        #expect(v.links[3].outcome == .skipped)
    }

    /// An attacker keeps the genuine quote but certifies a key of their own (and signs the PCR quote with it).
    @Test func aSwappedEKBreaksTheBinding() throws {
        var evidence = try VTPMExample.run().evidence
        let quote = try #require(try EKCertificate.parse(Array(evidence.ekCertificate.utf8)).quote)
        let other = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        evidence.ekCertificate = try EKCertificate.pem(try EKCertificate.make(ek: other, quote: quote))
        let v = EvidenceVerifier.verify(evidence, against: VTPMExample.reference())
        #expect(v.firstFailure == .ekBinding)
        #expect(v.links[2].detail.contains("REPORTDATA"))
    }

    @Test func aChangedQuoteFailsItsSignature() throws {
        var evidence = try VTPMExample.run().evidence
        var quote = try #require(try EKCertificate.parse(Array(evidence.ekCertificate.utf8)).quote)
        quote[56 + 528] ^= 1  // one bit of MRTD in the quoted report
        let ek = VTPM(launchMeasurement: VTPM.sha384(VTPMExample.launchParameter)).ek
        evidence.ekCertificate = try EKCertificate.pem(try EKCertificate.make(ek: ek, quote: quote))
        let v = EvidenceVerifier.verify(evidence, against: VTPMExample.reference())
        #expect(v.links.map(\.outcome) == [.failed, .skipped, .skipped, .skipped, .skipped])
        #expect(v.exitCode == 10)
    }

    @Test func aTamperedEventLogOrPCRQuoteIsCaught() throws {
        let good = try VTPMExample.run().evidence
        func check(_ e: Evidence, _ link: EvidenceVerifier.Link, _ detail: String) {
            let v = EvidenceVerifier.verify(e, against: VTPMExample.reference())
            #expect(v.firstFailure == link, "\(detail)")
            #expect(v.links.first { $0.link == link }?.detail.hasPrefix(detail) == true, "\(v.json)")
        }
        var e = good
        e.rtmrEvents.removeFirst()  // the launch parameter's event gone: the log no longer replays to RTMR[0]
        check(e, .l1Measurement, "the RTMR event log does not replay to the quoted RTMR[0]")
        e = good
        e.rtmrEvents[0].data[5] ^= 1  // the TD HOB's bytes changed, its digest kept
        check(e, .l1Measurement, "an RTMR[0] event's digest is not SHA-384 of its data")
        e = good
        e.pcrQuote.values[0][0] ^= 1  // a PCR value the EK did not sign
        check(e, .l2Measurement, "the PCR quote is not signed by the certified EK")
        e = good
        e.pcrEvents[0].digest[0] ^= 1  // the vTPM log does not replay to the quoted PCR[0]
        check(e, .l2Measurement, "the vTPM event log does not replay to the quoted PCR[0]")
        e = good
        e.pcrEvents.append(VTPM.Event(index: 5, type: 4, measuring: [1]))  // a PCR the quote does not cover
        check(e, .l2Measurement, "the vTPM event log has an event for PCR[5]")
        // An RTMR log that does not replay says nothing about the SEPARATOR: that link is skipped, not judged.
        e = good
        e.rtmrEvents = []
        let v = EvidenceVerifier.verify(e, against: VTPMExample.reference())
        #expect(v.links.map(\.outcome) == [.ok, .failed, .ok, .ok, .skipped])
    }

    @Test func theWrongLaunchParameterOrABrokenCertificateIsCaught() throws {
        var o = VTPMExample.Options()
        o.launchParameter[10] ^= 1  // another TD HOB: RTMR[0]'s first event is not the trusted one
        let r = try VTPMExample.run(o)
        var v = EvidenceVerifier.verify(r.evidence, against: VTPMExample.reference())
        #expect(v.firstFailure == .l1Measurement)
        #expect(v.links[1].detail == "RTMR[0]'s first event is not the expected launch parameter")
        // A certificate whose quote extension is empty, and one that is not DER at all.
        var evidence = try VTPMExample.run().evidence
        let other = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 9, count: 32))
        evidence.ekCertificate = try EKCertificate.pem(try EKCertificate.make(ek: other, quote: []))
        v = EvidenceVerifier.verify(evidence, against: VTPMExample.reference())
        #expect(v.links[0].outcome == .failed && v.exitCode == 10)
        #expect(v.links[0].detail.contains("quote's header or signature"))
        #expect(v.links.dropFirst().allSatisfy { $0.outcome == .skipped })
        evidence.ekCertificate = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
        #expect(
            EvidenceVerifier.verify(evidence, against: VTPMExample.reference()).links[0].detail.hasPrefix(
                "the EK certificate does not parse"))
    }

    @Test func linkExitCodesAreDistinct() {
        #expect(EvidenceVerifier.Link.allCases.map(\.exitCode) == [10, 11, 12, 13, 14])
    }
}
