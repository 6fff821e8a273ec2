import ArgumentParser
import SEAMAttest
import SEAMCore
import SEAMFormats
import SEAMTypes
import VTPMExample

/// `softseam attest`: the model's quote key, the vTPM example's evidence, and the verifier of that evidence.
struct Attest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attestation: the SoftSEAM quote key, the vTPM example's evidence, and its verifier.",
        subcommands: [Key.self, VTPMRun.self, Reference.self, Verify.self])

    /// The L1 image and the L2 firmware `--l1-image` and `--l2-firmware` name (the example's when not given):
    /// the L1 image at most a page, the firmware exactly one, as the example's TD holds them.
    static func images(l1: String?, l2: String?) throws(InputError) -> (l1: [UInt8], l2: [UInt8]) {
        let l1Bytes = try l1.map { path throws(InputError) in try FileIO.readAll(path) } ?? VTPMExample.l1Image
        let l2Bytes = try l2.map { path throws(InputError) in try FileIO.readAll(path) } ?? VTPMExample.l2Firmware
        guard l1Bytes.count <= 4096 else { throw InputError(file: l1 ?? "", "more than 4096 bytes") }
        guard l2Bytes.count == 4096 else { throw InputError(file: l2 ?? "", "not 4096 bytes") }
        return (l1Bytes, l2Bytes)
    }

    /// `softseam attest key`: the public part of the model's quote key.
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the Ed25519 public key that signs SoftSEAM quotes (hex; a SoftSEAM key, not Intel's).")

        @Flag(help: "Print {\"algorithm\": \"ed25519\", \"public_key\": \"…\", \"quote_magic\": \"SOFTSEAM-QUOTE-1\"}.")
        var json = false

        func run() throws {
            let hex = Scenario.hexBytes(TDQuote.publicKey)
            if json {
                print("{\"algorithm\": \"ed25519\", \"public_key\": \"\(hex)\", \"quote_magic\": \"SOFTSEAM-QUOTE-1\"}")
            } else {
                print(hex)
            }
        }
    }

    /// `softseam attest vtpm`: runs Examples/vtpm-l1 and writes its evidence.
    struct VTPMRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vtpm",
            abstract:
                "Run the vTPM example L1 (Examples/vtpm-l1): measure, quote, certify the EK, serve L2's vTPM calls.")

        @Option(help: "Write the evidence (JSON) here; - for standard output (then nothing else is printed).")
        var evidence: String?

        @Option(help: "Also record the run as a trace that softseam replay checks (binary when it ends in .bin).")
        var trace: String?

        @Option(
            name: .customLong("l1-image"), help: "Run with this L1 image (at most 4096 bytes) instead of the example's."
        )
        var l1Image: String?

        @Option(
            name: .customLong("l2-firmware"), help: "Run with this L2 firmware (4096 bytes) instead of the example's.")
        var l2Firmware: String?

        @Flag(name: .customLong("no-separator"), help: "L1 leaves out the SEPARATOR extends (a misbehaving L1).")
        var noSeparator = false

        @Flag(name: .customLong("unbound-ek"), help: "L1 takes its report with zero REPORTDATA (a misbehaving L1).")
        var unboundEK = false

        func run() throws {
            var o = VTPMExample.Options()
            o.extendsSeparator = !noSeparator
            o.bindsEK = !unboundEK
            let result: VTPMExample.Result
            do throws(InputError) {
                (o.l1Image, o.l2Firmware) = try Attest.images(l1: l1Image, l2: l2Firmware)
                do {
                    result = try VTPMExample.run(o)
                } catch {
                    throw InputError(file: "<vtpm example>", "\(error)")
                }
                if let path = evidence {
                    try FileIO.write(Array(result.evidence.json.utf8), to: path, dashIsStandardOutput: true)
                }
                if let path = trace {
                    let scenario = Scenario(
                        config: VTPMExample.config(o), comment: "The vTPM example L1 (Examples/vtpm-l1)",
                        steps: result.steps)
                    let format = try Trace.format(for: path, requested: nil, fallback: .json)
                    try Trace.record(scenario, file: "<vtpm example>").write(to: path, binary: format == .binary)
                }
            } catch {
                throw fail(error)
            }
            if evidence == "-" { return }
            for line in result.log { print(line) }
            print("L2 printed PCR[0]: \(Scenario.hexBytes(result.l2Printed))")
            print("steps: \(result.steps.count)")
            print("state hash: \(hex64(result.stateHash))")
        }
    }

    /// `softseam attest reference`: the values a verifier trusts, from the images.
    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Print the reference values (MRTD, launch parameter and L2 firmware digests) for the given images.")

        @Option(name: .customLong("l1-image"), help: "The trusted L1 image (default: the example's).")
        var l1Image: String?

        @Option(name: .customLong("l2-firmware"), help: "The trusted L2 firmware (default: the example's).")
        var l2Firmware: String?

        func run() throws {
            do throws(InputError) {
                let (l1, l2) = try Attest.images(l1: l1Image, l2: l2Firmware)
                print(VTPMExample.reference(l1Image: l1, l2Firmware: l2).json, terminator: "")
            } catch {
                throw fail(error)
            }
        }
    }

    /// `softseam attest verify EVIDENCE`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check vTPM evidence link by link.",
            discussion: """
                Links, in order: quote_signature (exit 10), l1_measurement (11), ek_binding (12), l2_measurement (13), \
                separator (14). Exit 0 when every link holds, else the first failed link's code; 2 for a file that \
                cannot be read or parsed.
                """)

        @Argument(help: "The evidence file (JSON, from softseam attest vtpm --evidence).")
        var evidenceFile: String

        @Option(help: "Reference values (JSON, from softseam attest reference); default: the example's images.")
        var reference: String?

        @Flag(help: "Print {\"verified\": …, \"exit_code\": …, \"links\": [{\"link\", \"result\", \"detail\"}, …]}.")
        var json = false

        func run() throws {
            let evidence: Evidence
            let values: ReferenceValues
            do throws(InputError) {
                let name = FileIO.displayName(evidenceFile, output: false)
                evidence = try Evidence.parse(
                    try FileIO.text(try FileIO.readAll(evidenceFile, dashIsStandardInput: true), file: name), file: name
                )
                if let path = reference {
                    values = try ReferenceValues.parse(
                        try FileIO.text(try FileIO.readAll(path), file: path), file: path)
                } else {
                    values = VTPMExample.reference()
                }
            } catch {
                throw fail(error)
            }
            let report = EvidenceVerifier.verify(evidence, against: values)
            if json {
                print(report.json)
            } else {
                for line in Verify.text(report) { print(line) }
            }
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }

        /// The text form: one line a link, then the verdict (README.md's sample is checked against it).
        static func text(_ report: EvidenceVerifier.Report) -> [String] {
            report.links.map { "\($0.link.rawValue): \($0.outcome.rawValue) — \($0.detail)" }
                + [report.firstFailure.map { "not verified: \($0.rawValue) failed" } ?? "verified"]
        }
    }
}
