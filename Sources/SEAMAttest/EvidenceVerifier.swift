import SEAMCore
import SEAMFormats

/// `softseam attest verify`: what a verifier of the TD-partitioning vTPM's evidence checks, link by link, each
/// link resting on the ones before it:
///
///     1 quote_signature  the EK certificate parses, carries the quote extension, and the quote's signature holds
///                        under SoftSEAM's quote key (`TDQuote`) — the report in it is the module's
///     2 l1_measurement   MRTD is the trusted L1's; L1's RTMR event log replays to the report's RTMR[0..3]; its
///                        first RTMR[0] event is the expected launch parameter
///     3 ek_binding       the certificate is self-signed by its subject key, and REPORTDATA is SHA-384 of that
///                        key followed by 16 zero bytes — the quoted TD vouches for this EK
///     4 l2_measurement   the PCR quote is signed by that EK, the vTPM's event log replays to it, and PCR[0]
///                        holds the trusted L2 firmware's measurement
///     5 separator        RTMR[1..3] each hold exactly the SEPARATOR, and RTMR[0]'s log ends with it — L1
///                        closed its measurements before L2 ran
///
/// Every link is reported; one whose prerequisites failed is `skipped` (after a failed quote, all the others;
/// after a failed L1 measurement, the separator, which reads the RTMR log; after a failed binding, the L2
/// measurement, which trusts the EK). The exit code is the first failed link's (`Link.exitCode`), 0 when all hold.
///
/// What it checks is the evidence's chain of links, not its secrecy: every key in SoftSEAM is derived from public
/// labels (the quote key from a fixed label, the EK from a label and the launch measurement, which the evidence
/// carries), so anyone with SoftSEAM's source can make evidence that verifies. A test tool needs exactly that —
/// L1s and verifiers are checked against the real chain — and it is why a SoftSEAM quote is never Intel's.
public enum EvidenceVerifier {
    public enum Link: String, CaseIterable, Sendable {
        case quoteSignature = "quote_signature"
        case l1Measurement = "l1_measurement"
        case ekBinding = "ek_binding"
        case l2Measurement = "l2_measurement"
        case separator

        /// The process exit code when this link is the first to fail: 10 + its position.
        public var exitCode: Int32 {
            Int32(10 + Link.allCases.firstIndex(of: self)!)
        }
    }

    public enum Outcome: String, Sendable { case ok, failed, skipped }

    public struct LinkResult: Sendable, Equatable {
        public var link: Link
        public var outcome: Outcome
        /// What was found, in a sentence.
        public var detail: String
    }

    public struct Report: Sendable {
        public var links: [LinkResult]
        /// The first link that failed, nil when every link held.
        public var firstFailure: Link? { links.first { $0.outcome == .failed }?.link }
        public var exitCode: Int32 { firstFailure?.exitCode ?? 0 }

        public var json: String {
            let items = links.map {
                "{\"link\": \"\($0.link.rawValue)\", \"result\": \"\($0.outcome.rawValue)\", "
                    + "\"detail\": \"\(jsonEscaped($0.detail))\"}"
            }
            return "{\"verified\": \(firstFailure == nil), \"exit_code\": \(exitCode), \"links\": ["
                + items.joined(separator: ", ") + "]}"
        }
    }

    /// The SEPARATOR event's digest, SHA-384 of four zero bytes.
    public static var separatorDigest: [UInt8] { VTPM.sha384(VTPM.separatorData) }

    public static func verify(_ evidence: Evidence, against reference: ReferenceValues) -> Report {
        var links: [LinkResult] = []
        func add(_ link: Link, _ failure: String?, ok: String) {
            links.append(LinkResult(link: link, outcome: failure == nil ? .ok : .failed, detail: failure ?? ok))
        }
        func skip(_ link: Link, _ why: String) {
            links.append(LinkResult(link: link, outcome: .skipped, detail: "not checked: \(why)"))
        }

        // 1. The quote.
        let parsed: Result<EKCertificate.Contents, any Error> = Result {
            try EKCertificate.parse(Array(evidence.ekCertificate.utf8))
        }
        var quoteFailure: String?
        var report: [UInt8] = []
        var certificate: EKCertificate.Contents?
        switch parsed {
        case .failure(let error):
            quoteFailure = "the EK certificate does not parse: \(error)"
        case .success(let c):
            certificate = c
            if let quote = c.quote {
                if let r = TDQuote.report(inQuote: quote) {
                    report = r
                } else {
                    quoteFailure = "the quote's header or signature does not verify under the SoftSEAM quote key"
                }
            } else {
                quoteFailure = "the EK certificate has no quote extension (\(EKCertificate.quoteExtensionOID))"
            }
        }
        add(
            .quoteSignature, quoteFailure,
            ok: "the quote verifies under the SoftSEAM quote key (a SoftSEAM quote, not Intel's)")
        guard quoteFailure == nil, let certificate else {
            for l in Link.allCases.dropFirst() { skip(l, "the quote did not verify") }
            return Report(links: links)
        }
        let rtmrs = (0..<4).map { i in Array(report[TDReport.rtmrOffset(i)..<TDReport.rtmrOffset(i) + 48]) }

        // 2. The L1: MRTD, the RTMR log, the launch parameter. An event's digest must be SHA-384 of its data for
        // the events the verifier knows the data of (the launch parameter, the SEPARATOR); RTMR[0] holds the
        // launch parameter and then at most the SEPARATOR, nothing this verifier cannot appraise.
        let mrtd = Array(report[TDReport.mrtdOffset..<TDReport.mrtdOffset + 48])
        let rtmr0 = evidence.rtmrEvents.filter { $0.index == 0 }
        let l1Failure: String? = {
            if mrtd != reference.mrtd {
                return "MRTD is \(Scenario.hexBytes(mrtd)), not the trusted L1's \(Scenario.hexBytes(reference.mrtd))"
            }
            for i in 0..<4 where VTPM.replay(evidence.rtmrEvents.filter { $0.index == i }) != rtmrs[i] {
                return "the RTMR event log does not replay to the quoted RTMR[\(i)]"
            }
            let known = [VTPM.EventType.handoffTables2, VTPM.EventType.separator]
            if let e = evidence.rtmrEvents.first(where: { known.contains($0.type) && VTPM.sha384($0.data) != $0.digest }
            ) {
                return "an RTMR[\(e.index)] event's digest is not SHA-384 of its data"
            }
            guard let first = rtmr0.first, first.type == VTPM.EventType.handoffTables2,
                first.digest == reference.launchParameterDigest
            else { return "RTMR[0]'s first event is not the expected launch parameter" }
            guard rtmr0.count <= 2, rtmr0.dropFirst().allSatisfy({ $0.type == VTPM.EventType.separator }) else {
                return "RTMR[0] holds events other than the launch parameter and the SEPARATOR"
            }
            return nil
        }()
        add(
            .l1Measurement, l1Failure,
            ok: "MRTD is the trusted L1's; the RTMR log replays; RTMR[0] starts with the launch parameter")

        // 3. The EK binding.
        let expectedReportData = VTPM.sha384(certificate.ekPublicKey) + [UInt8](repeating: 0, count: 16)
        let reportData = Array(report[TDReport.reportDataOffset..<TDReport.reportDataOffset + 64])
        let bindingFailure: String? =
            if !certificate.selfSigned {
                "the EK certificate's signature does not verify under its own key"
            } else if reportData != expectedReportData {
                "REPORTDATA is not SHA-384 of the certified EK public key: the quoted TD did not vouch for this EK"
            } else {
                nil
            }
        add(.ekBinding, bindingFailure, ok: "REPORTDATA is SHA-384 of the certified EK public key")

        // 4. The L2: the vTPM's PCR quote, every PCR it covers replayed from the vTPM's log, no event for a PCR it
        // does not cover.
        if bindingFailure != nil {
            skip(.l2Measurement, "the EK is not bound")
        } else {
            let q = evidence.pcrQuote
            let l2Failure: String? = {
                guard q.isSigned(by: certificate.ekPublicKey) else {
                    return "the PCR quote is not signed by the certified EK"
                }
                guard let pcr0 = q.value(ofPCR: 0) else { return "the PCR quote does not include PCR[0]" }
                if let e = evidence.pcrEvents.first(where: { !q.selection.contains($0.index) }) {
                    return "the vTPM event log has an event for PCR[\(e.index)], which the PCR quote does not cover"
                }
                for (i, value) in zip(q.selection, q.values)
                where VTPM.replay(evidence.pcrEvents.filter { $0.index == i }) != value {
                    return "the vTPM event log does not replay to the quoted PCR[\(i)]"
                }
                let expected = VTPM.extended([UInt8](repeating: 0, count: 48), by: reference.l2FirmwareDigest)
                guard pcr0 == expected else {
                    return "PCR[0] is \(Scenario.hexBytes(pcr0)), not the trusted L2 firmware's measurement "
                        + Scenario.hexBytes(expected)
                }
                return nil
            }()
            add(.l2Measurement, l2Failure, ok: "PCR[0], signed by the EK, holds the trusted L2 firmware's measurement")
        }

        // 5. The separator, read from the RTMR log only once link 2 found that the log replays to the quote.
        guard l1Failure == nil else {
            skip(.separator, "the L1 measurement failed")
            return Report(links: links)
        }
        let separated = VTPM.extended([UInt8](repeating: 0, count: 48), by: separatorDigest)
        let missing = (1..<4).filter { rtmrs[$0] != separated }
        let separatorFailure: String? =
            if !missing.isEmpty {
                "RTMR[\(missing.map(String.init).joined(separator: ","))] do not hold exactly the SEPARATOR"
            } else if rtmr0.count != 2 || rtmr0[1].data != VTPM.separatorData {
                "RTMR[0]'s log does not end with the SEPARATOR"
            } else {
                nil
            }
        add(.separator, separatorFailure, ok: "RTMR[1..3] hold the SEPARATOR and RTMR[0]'s log ends with it")
        return Report(links: links)
    }
}
