import SEAMAttest
import SEAMCore
import SEAMTypes

/// The TD-partitioning vTPM launch flow of Intel's "TD Partitioning based vTPM Design Guide", as an L1 of
/// SoftSEAM (README.md beside this file has the walk-through):
///
///     host builds the TD: the L1 image PAGE.ADDed and MR.EXTENDed (MRTD), the TD HOB PAGE.ADDed unmeasured
///     L1: RTMR[0] ← SHA-384(TD HOB)                         TDG.MR.RTMR.EXTEND
///         vTPM started, ephemeral EK
///         PCR[0] ← SHA-384(L2 firmware image)               the vTPM's own extend
///         RTMR[0..3] ← SHA-384(00 00 00 00), the SEPARATOR   TDG.MR.RTMR.EXTEND × 4
///         TDREPORT with REPORTDATA = SHA-384(EK public key)  TDG.MR.REPORT
///         quote                                             MapGPA, then TDG.VP.VMCALL<GetQuote>
///         EK certificate with the quote in it               X.509, self-signed by the EK
///     L2 (VM1): TDG.VP.VMCALL<Service.L1VTPM> Detect, PCR read, prints PCR[0]; asks for a TDREPORT itself
///         (refused: only L1 can take one); HLT
///
/// The run is deterministic: no clock, no RNG (the EK's seed comes from the launch measurement), Ed25519
/// signatures, which swift-crypto makes deterministically on Linux; the same options give the same evidence and
/// state hash every time there (on macOS CryptoKit randomizes the signature bytes).
public enum VTPMExample {
    // MARK: The TD

    /// Private memory (1 vCPU, 1 L2 VM):
    ///
    ///     0x100000   L1 image: PAGE.ADDed with its contents and measured into MRTD
    ///     0x110000   TD HOB (the launch parameter): PAGE.ADDed with its contents, not measured
    ///     0x200000   L1 data: L2_ENTER_GUEST_STATE buffer, VM1's virtual-APIC page, TDREPORT (0x202000),
    ///                REPORTDATA (0x202400), the 48 bytes RTMR.EXTEND reads (0x202800)
    ///     0x400000   VM1's vTPM command buffer (0x400000) and response buffer (0x400800), aliased RW
    ///     0xFFFFF000 L2 firmware (the reset vector's page), aliased R+Xs
    ///
    /// and 0x500000 | SHARED: two pages L1 converts with MapGPA for GetQuote.
    static let l1ImageGPA: UInt64 = 0x10_0000
    static let hobGPA: UInt64 = 0x11_0000
    static let guestStateBuffer: UInt64 = 0x20_0000
    static let virtualAPICPage: UInt64 = 0x20_1000
    static let reportGPA: UInt64 = 0x20_2000
    static let reportDataGPA: UInt64 = 0x20_2400
    static let extendGPA: UInt64 = 0x20_2800
    static let commandGPA: UInt64 = 0x40_0000
    static let responseGPA: UInt64 = 0x40_0800
    static let firmwareGPA: UInt64 = 0xFFFF_F000
    static let quoteBufferGPA: UInt64 = 1 << 47 | 0x50_0000
    /// The debug port L2 prints to; L1 collects what it writes.
    static let debugPort: UInt16 = 0xE9

    /// What the run is given. The defaults are the trusted L1 and L2; the tests change one thing at a time.
    public struct Options: Sendable {
        /// The bytes the host PAGE.ADDs and measures as the L1 image (at most one page).
        public var l1Image = VTPMExample.l1Image
        /// The L2 firmware image L1 loads into the reset vector's page (one page).
        public var l2Firmware = VTPMExample.l2Firmware
        /// The TD HOB (at most one page).
        public var launchParameter = VTPMExample.launchParameter
        /// Whether L1 extends the SEPARATOR into RTMR[0..3] before L2 runs.
        public var extendsSeparator = true
        /// Whether REPORTDATA is the EK's hash (else L1 takes its report with zero REPORTDATA).
        public var bindsEK = true

        public init() {}
    }

    /// Stands for the L1 binary: the bytes the host copies and measures. A changed byte changes MRTD.
    public static let l1Image: [UInt8] = Array(
        "SoftSEAM vTPM example L1, image v1: stands for the L1 binary the host loads and measures.\n".utf8)

    /// The L2 firmware: a page whose last 16 bytes are the reset vector (JMP $ and HLT bytes), with a label
    /// at its start.
    public static let l2Firmware: [UInt8] = {
        var page = [UInt8](repeating: 0, count: 4096)
        let label = Array("SoftSEAM vTPM example L2 firmware v1".utf8)
        page.replaceSubrange(0..<label.count, with: label)
        page.replaceSubrange(0xFF0..<0xFF3, with: [0xF4, 0xEB, 0xFD])  // HLT; JMP back to it
        return page
    }()

    /// The TD HOB the host hands L1: a 4-byte little-endian length, then the text of what it describes.
    public static let launchParameter: [UInt8] = {
        let body = Array("SoftSEAM TD HOB: 1 vCPU, 1 L2 VM, memory 0x100000-0x500000".utf8)
        return [UInt8(body.count + 4), 0, 0, 0] + body
    }()

    public static func config(_ o: Options = Options()) -> MachineConfig {
        var c = MachineConfig(
            numL2VMs: 1, vcpus: 1,
            memory: [
                .init(gpa: l1ImageGPA, size: 0x1000, state: .mapped, contents: o.l1Image, measured: true),
                .init(gpa: hobGPA, size: 0x1000, state: .mapped, contents: o.launchParameter),
                .init(gpa: guestStateBuffer, size: 0x3000, state: .mapped),
                .init(gpa: commandGPA, size: 0x1000, state: .mapped),
                .init(gpa: firmwareGPA, size: 0x1000, state: .mapped),
            ])
        c.finalize = true
        return c
    }

    /// The values a verifier trusts for these images: MRTD of the TD the host builds with `l1Image` (the TD
    /// build is the model's, as a verifier's MRTD tool replays a build), the launch parameter's and the L2
    /// firmware's SHA-384.
    public static func reference(
        l1Image: [UInt8] = l1Image, l2Firmware: [UInt8] = l2Firmware, launchParameter: [UInt8] = launchParameter
    ) -> ReferenceValues {
        var o = Options()
        o.l1Image = l1Image
        o.launchParameter = launchParameter
        return ReferenceValues(
            mrtd: Machine(config: config(o)).mrtdLog.measurement(),
            launchParameterDigest: VTPM.sha384(launchParameter), l2FirmwareDigest: VTPM.sha384(l2Firmware))
    }

    /// What the run produced.
    public struct Result: Sendable {
        /// The evidence L1 hands a verifier.
        public var evidence: Evidence
        /// One line for each thing L1 did and each exit it handled.
        public var log: [String]
        /// What L2 printed on the debug port: PCR[0] as L2 read it from the vTPM.
        public var l2Printed: [UInt8]
        /// The exit reasons of L1's TDG.VP.ENTERs, in order.
        public var l2Exits: [UInt32]
        /// The machine at the end, and its state hash.
        public var machine: Machine
        public var stateHash: UInt64
        /// Every step of the run (a scenario of them replays it).
        public var steps: [Step]
    }

    public enum Failure: Error, CustomStringConvertible {
        case step(String)
        public var description: String {
            switch self {
            case .step(let s): "vTPM example: \(s)"
            }
        }
    }

    /// Runs the flow. Throws when a call the flow depends on fails (a bug in SoftSEAM or in the options).
    public static func run(_ o: Options = Options()) throws -> Result {
        guard o.l1Image.count <= 4096, o.launchParameter.count <= 4096, o.l2Firmware.count == 4096 else {
            throw Failure.step("the L1 image and the TD HOB must fit a page, the L2 firmware must be one")
        }
        var l1 = VTPML1(machine: Machine(config: config(o)))
        let evidence = try l1.launch(o)
        try l1.runL2()
        return Result(
            evidence: evidence, log: l1.log, l2Printed: l1.l2Printed, l2Exits: l1.l2Exits, machine: l1.m,
            stateHash: l1.m.stateHash(), steps: l1.engine.observer.steps)
    }
}
