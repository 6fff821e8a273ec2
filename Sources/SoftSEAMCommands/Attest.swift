import ArgumentParser
import SEAMCore
import SEAMFormats

/// `softseam attest`: what a verifier of SoftSEAM evidence needs.
struct Attest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attestation: the key SoftSEAM quotes are signed with.",
        subcommands: [Key.self])

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
}
