import SEAMAttest
import SEAMFormats
import Testing
import VTPMExample

// The Service.L1VTPM buffers (GHCI Service layout; the design guide's command and response), worked out by hand,
// and the evidence and reference files: they round-trip, and bad input names the file, the line and the field.
@Suite struct EvidenceFormatTests {
    /// {0x766cf580, 0x8dc3, 0x4cea, {0xa9, 0x4e, 0xe5, 0x42, 0x4d, 0xa1, 0xda, 0x56}} as EFI_GUID bytes.
    static let guid: [UInt8] = [
        0x80, 0xF5, 0x6C, 0x76, 0xC3, 0x8D, 0xEA, 0x4C, 0xA9, 0x4E, 0xE5, 0x42, 0x4D, 0xA1, 0xDA, 0x56,
    ]

    @Test func detectCommandAndResponse() throws {
        // Command: GUID, length 28, reserved, then version 0, command 1, two reserved bytes.
        #expect(L1VTPMService.command(.detect) == Self.guid + [28, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])
        var tpm = VTPM(launchMeasurement: [])
        let digest = [UInt8](repeating: 0xAB, count: 48)
        tpm.extend(VTPM.Event(index: 0, type: 0x8000_000A, digest: digest, data: [1, 2]))
        let response = try #require(L1VTPMService.respond(to: L1VTPMService.command(.detect), vtpm: tpm))
        // TCG_PCR_EVENT2: PCR 0, type 0x8000000A, 1 digest, TPM_ALG_SHA384 (0x000C), 48 bytes, size 2, data.
        let event: [UInt8] =
            [0, 0, 0, 0] + [0x0A, 0, 0, 0x80] + [1, 0, 0, 0] + [0x0C, 0] + digest + [2, 0, 0, 0] + [1, 2]
        // Response: GUID, length 24 + 4 + 68 = 96, status 0, then version 0, command 1, present (1), reserved.
        #expect(response == Self.guid + [96, 0, 0, 0] + [0, 0, 0, 0] + [0, 1, 1, 0] + event)
        // Without a vTPM the answer is "absent" (0xFF) and carries no events.
        #expect(
            L1VTPMService.respond(to: L1VTPMService.command(.detect), vtpm: nil)
                == Self.guid + [28, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0])
    }

    @Test func pcrReadAndRefusals() throws {
        var tpm = VTPM(launchMeasurement: [])
        let digest = [UInt8](repeating: 1, count: 48)
        tpm.extend(VTPM.Event(index: 3, type: 4, digest: digest, data: []))
        // PCR[3] = SHA-384(0⁴⁸ ‖ 01⁴⁸), computed with Python's hashlib.
        let pcr3 = VTPMExampleTests.bytes(
            "b2cdfa15c3fdc5772b099d6e1a5acb8a2eb8b94adb63393a7ae3068c8b4bd8cdad83d6eb649d8178d0fe7a8135d0a003")
        #expect(tpm.pcrs[3] == pcr3)
        let response = try #require(L1VTPMService.respond(to: L1VTPMService.command(.pcrRead, pcr: 3), vtpm: tpm))
        #expect(response == Self.guid + [80, 0, 0, 0, 0, 0, 0, 0] + [0, 2, 1, 0] + [3, 0, 0, 0] + pcr3)
        // Another service's GUID, an unknown command, a PCR out of range: no answer (L1 fails the TDVMCALL).
        var other = L1VTPMService.command(.detect)
        other[0] ^= 1
        #expect(L1VTPMService.respond(to: other, vtpm: tpm) == nil)
        var unknown = L1VTPMService.command(.detect)
        unknown[25] = 9
        #expect(L1VTPMService.respond(to: unknown, vtpm: tpm) == nil)
        #expect(L1VTPMService.respond(to: L1VTPMService.command(.pcrRead, pcr: 24), vtpm: tpm) == nil)
    }

    @Test func evidenceAndReferenceRoundTrip() throws {
        let evidence = try VTPMExample.run().evidence
        #expect(try Evidence.parse(evidence.json, file: "e.json") == evidence)
        let reference = VTPMExample.reference()
        #expect(try ReferenceValues.parse(reference.json, file: "r.json") == reference)
    }

    @Test(
        arguments: [
            ("[]", 1, nil, "expected an object"),
            ("{\"format\": \"softseam-vtpm-evidence-2\"}", 1, "format", "expected \"softseam-vtpm-evidence-1\""),
            ("{\"format\": \"softseam-vtpm-evidence-1\",\n \"extra\": 1}", 2, "extra", "unknown key"),
            (
                "{\"format\": \"softseam-vtpm-evidence-1\",\n \"ek_certificate\": 5}", 2, "ek_certificate",
                "expected a string"
            ),
        ] as [(String, Int, String?, String)])
    func badEvidenceNamesFileLineAndField(text: String, line: Int, field: String?, message: String) {
        #expect {
            _ = try Evidence.parse(text, file: "bad.json")
        } throws: { error in
            guard let e = error as? InputError else { return false }
            return e.file == "bad.json" && e.line == line && e.field == field && e.message.contains(message)
        }
    }

    @Test func badValuesInsideTheEvidenceNameTheirField() throws {
        let good = try VTPMExample.run().evidence.json
        // A digest four bytes short, on the line of the RTMR events (line 3 of the file).
        let short = good.replacingOccurrences(
            of: "\"digest\": \"e0d0950309", with: "\"digest\": \"09", options: [], range: nil)
        #expect {
            _ = try Evidence.parse(short, file: "ev.json")
        } throws: { error in
            guard let e = error as? InputError else { return false }
            return e.line == 3 && e.field == "rtmr_events[0].digest" && e.message.contains("48 bytes")
        }
        let badIndex = good.replacingOccurrences(of: "\"pcrs\": [0]", with: "\"pcrs\": [24]")
        #expect {
            _ = try Evidence.parse(badIndex, file: "ev.json")
        } throws: { error in
            (error as? InputError)?.field == "pcr_quote.pcrs[0]"
        }
        let reference = VTPMExample.reference().json.replacingOccurrences(of: "\"mrtd\": \"", with: "\"mrtd\": \"zz")
        #expect {
            _ = try ReferenceValues.parse(reference, file: "ref.json")
        } throws: { error in
            guard let e = error as? InputError else { return false }
            return e.file == "ref.json" && e.line == 2 && e.field == "mrtd"
        }
    }

    @Test func theCertificateCarriesTheQuoteUnderItsOID() throws {
        let evidence = try VTPMExample.run().evidence
        #expect(EKCertificate.quoteExtensionOID.description == "1.3.6.1.4.1.32473.7368.1")
        #expect(evidence.ekCertificate.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        // Checked once outside SoftSEAM with Python's `cryptography` (not by this test): subject O=SoftSEAM model,
        // CN=SoftSEAM vTPM EK, validity 2026-01-01 to 9999-12-31T23:59:59Z, Ed25519, one non-critical extension
        // 1.3.6.1.4.1.32473.7368.1 of 1144 bytes, a self-signature that verifies. This test checks the serial
        // (SHA-256 of the EK public key computed with hashlib: first 8 bytes, top bit clear), the self-signature and
        // the extension.
        let c = try EKCertificate.parse(Array(evidence.ekCertificate.utf8))
        #expect(c.serialNumber == VTPMExampleTests.bytes("485bbddad43f84de"))
        #expect(c.selfSigned)
        #expect(c.quote?.count == 1144)
        #expect(c.quote.map { Array($0.prefix(16)) } == Array("SOFTSEAM-QUOTE-1".utf8))
    }
}
