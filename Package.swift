// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "SoftSEAM",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "softseam", targets: ["softseam"]),
        .library(name: "SEAMCore", targets: ["SEAMCore"]),
        .library(name: "SEAMSpec", targets: ["SEAMSpec"]),
        .library(name: "SEAMFormats", targets: ["SEAMFormats"]),
        .library(name: "SEAMDemos", targets: ["SEAMDemos"]),
        .library(name: "SEAMFuzz", targets: ["SEAMFuzz"]),
        // libsoftseam: the C ABI of CSoftSEAM/include/softseam.h (`make install` builds it with the Swift runtime
        // linked in and installs it as libsoftseam.so.VERSION, SONAME libsoftseam.so.ABI_VERSION).
        .library(name: "SoftSEAMC", type: .dynamic, targets: ["SoftSEAMC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-384 of the measurement registers (and, for reports and quotes, HMAC and signatures).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // X.509 for the vTPM's EK certificate (and its DER/ASN.1 layer).
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // C boundary: XXH3 from Debian's libxxhash-dev.
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"])]
        ),
        // Pure ABI value types, no dependencies.
        .target(name: "SEAMTypes"),
        // The machine: TD, vCPUs, GPA space, leaf registry and handlers, host side, L2 routing, state hashing,
        // and the one step engine every way of running the model goes through.
        // SOFTSEAM_PLANTED_BUGS: the fuzzer tests' planted-bug switch (PlantedBug.swift), in debug builds only.
        .target(
            name: "SEAMCore",
            dependencies: ["SEAMTypes", "CXXHash", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: [.define("SOFTSEAM_PLANTED_BUGS", .when(configuration: .debug))]),
        // What users write and read: config and scenario input (JSON), trace files (JSON Lines and binary), the
        // trace recorder and replayer, divergence reports, snapshot files. It uses Foundation (JSON coding of
        // snapshots), as SEAMSpec and the commands do and SEAMCore must not.
        .target(name: "SEAMFormats", dependencies: ["SEAMTypes", "SEAMCore"]),
        // Specs/ tables and the conformance runner.
        .target(name: "SEAMSpec", dependencies: ["SEAMTypes", "SEAMCore", "SEAMFormats"]),
        // The built-in example L1s of `softseam demo` and the built-in L2 program: L1 code like any user's,
        // driving the machine through the step engine.
        .target(name: "SEAMDemos", dependencies: ["SEAMTypes", "SEAMCore", "SEAMFormats"]),
        // The verifier's side of the TD-partitioning vTPM: a small vTPM (SHA-384 PCR bank, EK, PCR quote), the
        // Service.L1VTPM buffers, the EK certificate that carries the TD quote, the evidence and reference files and
        // the link-by-link verifier of `softseam attest verify`.
        .target(
            name: "SEAMAttest",
            dependencies: [
                "SEAMTypes", "SEAMCore", "SEAMFormats", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        // Examples/vtpm-l1: the design guide's vTPM launch flow as an L1 of SoftSEAM, run by `softseam attest vtpm`.
        .target(
            name: "VTPMExample", dependencies: ["SEAMTypes", "SEAMCore", "SEAMFormats", "SEAMAttest"],
            path: "Examples/vtpm-l1", exclude: ["README.md"]),
        // The fuzzer: an operation decoder, the isolation oracle, shrinking and findings as traces; it drives the
        // machine through the step engine.
        .target(name: "SEAMFuzz", dependencies: ["SEAMTypes", "SEAMCore", "SEAMFormats"]),
        // CLI commands as a library, so tests can parse and run them.
        .target(
            name: "SoftSEAMCommands",
            dependencies: [
                "SEAMTypes", "SEAMCore", "SEAMSpec", "SEAMFormats", "SEAMDemos", "SEAMFuzz", "SEAMAttest",
                "VTPMExample",
                "SoftSEAMC",
                "CSoftSEAMBench",
                "CSoftSEAM",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The hand-written C ABI header (the contract) and C-side layout checks.
        .target(name: "CSoftSEAM"),
        // The C ABI: the only module with `@c` exports.
        .target(
            name: "SoftSEAMC",
            dependencies: ["SEAMTypes", "SEAMCore", "SEAMFormats", "SEAMDemos", "CSoftSEAM"],
            swiftSettings: [.strictMemorySafety()]
        ),
        // C loops that call the C ABI from C, for `softseam bench` (c_abi_tdcall).
        .target(name: "CSoftSEAMBench", dependencies: ["CSoftSEAM"]),
        // The C-ABI fuzz harness: calls decoded from bytes through softseam.h, each checked against the header's
        // promises (a negative result or an error status changes nothing). A library, so tests run it on crafted
        // inputs; the libFuzzer target fuzz-cabi is its only caller besides them.
        .target(name: "SoftSEAMCFuzz", dependencies: ["SoftSEAMC", "CSoftSEAM"]),
        .executableTarget(name: "softseam", dependencies: ["SoftSEAMCommands"]),
        .testTarget(name: "SEAMTypesTests", dependencies: ["SEAMTypes"]),
        .testTarget(name: "SEAMCoreTests", dependencies: ["SEAMTypes", "SEAMCore"]),
        .testTarget(name: "SEAMSpecTests", dependencies: ["SEAMTypes", "SEAMCore", "SEAMSpec", "SEAMFormats"]),
        .testTarget(name: "SEAMFormatsTests", dependencies: ["SEAMFormats", "SEAMCore", "SEAMTypes", "SEAMDemos"]),
        .testTarget(name: "SEAMDemosTests", dependencies: ["SEAMDemos", "SEAMFormats", "SEAMCore", "SEAMTypes"]),
        .testTarget(
            name: "SEAMAttestTests",
            dependencies: [
                "SEAMAttest", "VTPMExample", "SEAMCore", "SEAMFormats", "SEAMTypes",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "SEAMFuzzTests", dependencies: ["SEAMFuzz", "SEAMFormats", "SEAMCore", "SEAMTypes"]),
        // The C ABI's exports called from Swift, in a debug build (its handle checks are debug-only).
        .testTarget(name: "SoftSEAMCTests", dependencies: ["SoftSEAMC", "CSoftSEAM"]),
        .testTarget(name: "SoftSEAMCFuzzTests", dependencies: ["SoftSEAMCFuzz", "SoftSEAMC", "CSoftSEAM"]),
        .testTarget(
            name: "SoftSEAMCommandsTests",
            dependencies: ["SoftSEAMCommands", "SEAMCore", "SEAMFormats", "SEAMDemos", "SEAMAttest", "VTPMExample"]),
    ]
)

// libFuzzer targets (`make fuzz`; README, "Fuzzing with libFuzzer"). Each is an executable holding only
// LLVMFuzzerTestOneInput: its main comes from libFuzzer, so it links only in a `--sanitize=fuzzer` build. They
// are declared when SOFTSEAM_FUZZ is set, so that `swift build` and `swift test` never try to link them. The
// operation-decoder target joins as soon as the package has the SEAMFuzz module it calls.
if Context.environment["SOFTSEAM_FUZZ"] != nil {
    let asLibrary: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]
    package.targets.append(
        .executableTarget(
            name: "fuzz-cabi", dependencies: ["SoftSEAMCFuzz"], path: "fuzz/targets/cabi", swiftSettings: asLibrary))
    if package.targets.contains(where: { $0.name == "SEAMFuzz" }) {
        package.targets.append(
            .executableTarget(
                name: "fuzz-ops", dependencies: ["SEAMFuzz"], path: "fuzz/targets/ops", swiftSettings: asLibrary))
    }
}
