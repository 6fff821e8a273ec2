import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

// Config keys for TD_PARAMS (attributes, xfam, config_flags) and the platform. The rules are TDH.MNG.INIT's, worked
// out from tdx-module src/vmm_dispatcher/api_calls/tdh_mng_init.c (read_and_set_td_configurations: ATTRIBUTES,
// then XFAM, then CONFIG_FLAGS; TD_CTLS.PENDING_VE_DISABLE = ATTRIBUTES.SEPT_VE_DISABLE) and
// src/common/helpers/helpers.c (verify_td_attributes, check_xfam, verify_td_config_flags) with the fixed masks of
// src/common/data_structures/td_control_structures.h: ATTRIBUTES_FIXED0 = bits 0, 28, 29, 30, 63; TDX_XFAM_FIXED0 =
// 0x6DBE7, TDX_XFAM_FIXED1 = 0x3; CONFIG_FLAGS_FIXED0 = 0x7.
@Suite struct TDParamsConfigTests {
    static func decode(_ extra: String, gpaw: Int = 48) throws -> MachineConfig {
        try ConfigDecoder.decode("{\"num_l2_vms\": 1, \"gpaw\": \(gpaw), \(extra)}", file: "c.json")
    }

    /// The error for `extra`: its field and message.
    static func error(_ extra: String, gpaw: Int = 48) -> InputError? {
        do {
            _ = try decode(extra, gpaw: gpaw)
            return nil
        } catch { return error as? InputError }
    }

    @Test func namedBitsAndIntegersDecodeAndReachTheMachine() throws {
        let c = try Self.decode(
            "\"attributes\": [\"DEBUG\", \"SEPT_VE_DISABLE\"], \"xfam\": \"0xE7\", "
                + "\"config_flags\": [\"FLEXIBLE_PENDING_VE\", \"NO_RBP_MOD\"]")
        #expect(c.attributes == 0x1000_0001)
        #expect(c.xfam == 0xE7)  // x87, SSE, AVX, AVX-512 (5, 6, 7)
        #expect(c.configFlags == 0x6)
        let m = Machine(config: c)
        #expect(m.attributes == 0x1000_0001)
        #expect(m.xfam == 0xE7)
        #expect(m.configFlags == 0x6)  // GPAW 48 → bit 0 clear
        #expect(m.tdCtls == 1)  // PENDING_VE_DISABLE from SEPT_VE_DISABLE
        // The JSON form round-trips, and the defaults are not written (old traces keep their header).
        #expect(try ConfigDecoder.decode(c.json()) == c)
        #expect(!MachineConfig(numL2VMs: 1).json().contains("attributes"))
        #expect(!MachineConfig(numL2VMs: 1, gpaw: .gpaw52).json().contains("config_flags"))
    }

    @Test func gpaw52ConfigFlagsKeepTheGPAWBit() throws {
        let c = try Self.decode("\"config_flags\": \"0x3\"", gpaw: 52)
        let m = Machine(config: c)
        #expect(m.configFlags == 0x3)
        #expect(try ConfigDecoder.decode(c.json()) == c)
        #expect(Self.error("\"config_flags\": \"0x2\"", gpaw: 52)?.message.contains("GPAW (bit 0) must be 1") == true)
        #expect(
            Self.error("\"config_flags\": [\"GPAW\"]", gpaw: 48)?.message.contains("GPAW (bit 0) must be 0") == true)
    }

    @Test(arguments: [
        ("\"attributes\": \"0x2\"", "attributes", "bits 0x2 are not allowed"),  // bit 1: reserved
        ("\"attributes\": [\"KL\"]", "attributes", "bits 0x80000000 are not allowed"),  // KL: not in FIXED0
        ("\"attributes\": [\"MIGRATABLE\", \"DEBUG\"]", "attributes", "MIGRATABLE TD cannot be DEBUG"),
        (
            "\"attributes\": [\"MIGRATABLE\", \"PERFMON\"]", "attributes",
            "MIGRATABLE TD cannot be DEBUG or have PERFMON"
        ),
        ("\"xfam\": \"0x1\"", "xfam", "bits 0 and 1 (x87, SSE) are required"),
        ("\"xfam\": \"0x8\"", "xfam", "bits 0x8 are not allowed"),  // bit 3 (BNDREGS): not in 0x6DBE7
        ("\"xfam\": \"0xE3\"", "xfam", "AVX-512 (bits 7:5) needs AVX"),
        ("\"xfam\": \"0x67\"", "xfam", "AVX-512 bits 5, 6 and 7"),
        ("\"xfam\": \"0x803\"", "xfam", "CET bits 11"),
        ("\"xfam\": \"0x20003\"", "xfam", "AMX bits 17"),
        ("\"config_flags\": \"0x8\"", "config_flags", "bits 0x8 are not allowed"),
        ("\"config_flags\": [\"SHARED\"]", "config_flags[0]", "unknown bit \"SHARED\""),
        ("\"platform\": \"mars\"", "platform", "unknown platform \"mars\""),
    ])
    func badValuesNameTheKeyAndTheRule(extra: String, field: String, message: String) throws {
        let e = try #require(Self.error(extra))
        #expect(e.field == field)
        #expect(e.message.contains(message), "\(e.message)")
        #expect(e.line == 1)
    }

    @Test func attributesAreCheckedBeforeXFAM() throws {
        // read_and_set_td_configurations checks ATTRIBUTES first.
        let e = try #require(Self.error("\"xfam\": \"0x1\", \"attributes\": \"0x2\""))
        #expect(e.field == "attributes")
    }

    @Test func thePlatformKeyPicksAProfile() throws {
        let c = try Self.decode("\"platform\": \"no-seamverifyreport\"")
        #expect(Machine(config: c).platform.name == "no-seamverifyreport")
        #expect(try ConfigDecoder.decode(c.json()) == c)
    }

    @Test func measurementValuesAreFortyEightHexBytesAndRoundTrip() throws {
        let hex = (0..<48).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
        let c = try Self.decode("\"mrowner\": \"0x\(hex)\", \"mrconfigid\": \"\(hex.uppercased())\"")
        #expect(c.measurements.mrOwner == (0..<48).map { UInt8($0) })
        #expect(c.measurements.mrConfigID == (0..<48).map { UInt8($0) })
        #expect(c.measurements.mrOwnerConfig.isEmpty)
        #expect(try ConfigDecoder.decode(c.json()) == c)
        #expect(!MachineConfig(numL2VMs: 1).json().contains("mrowner"))
        let short = try #require(Self.error("\"mrownerconfig\": \"00ff\""))
        #expect(short.field == "mrownerconfig" && short.message.contains("96 hex digits, got 4"))
        let bad = try #require(Self.error("\"mrowner\": \"\(String(hex.dropLast(2)))zz\""))
        #expect(bad.field == "mrowner" && bad.message.contains("not a hex digit at character 95"))
    }

    @Test func aRegionsContentsAndMeasureDecodeRoundTripAndAreChecked() throws {
        let c = try Self.decode(
            "\"memory\": [{\"gpa\": \"0x100000\", \"size\": \"0x2000\", \"state\": \"mapped\", "
                + "\"contents\": \"0x00ff10\", \"measure\": true}]")
        #expect(c.memory[0].contents == [0x00, 0xFF, 0x10] && c.memory[0].measured)
        #expect(try ConfigDecoder.decode(c.json()) == c)
        let pending = try #require(
            Self.error(
                "\"memory\": [{\"gpa\": \"0x100000\", \"size\": \"0x1000\", \"state\": \"pending\", \"measure\": true}]"
            ))
        #expect(pending.field == "memory[0].measure" && pending.message.contains("only a mapped region of 4K pages"))
        let odd = try #require(
            Self.error(
                "\"memory\": [{\"gpa\": \"0x100000\", \"size\": \"0x1000\", \"state\": \"mapped\", \"contents\": \"abc\"}]"
            ))
        #expect(odd.field == "memory[0].contents" && odd.message.contains("expected an even number of hex digits"))
        let big = String(repeating: "00", count: 0x1001)
        let tooBig = try #require(
            Self.error(
                "\"memory\": [{\"gpa\": \"0x100000\", \"size\": \"0x1000\", \"state\": \"mapped\", \"contents\": \"\(big)\"}]"
            ))
        #expect(tooBig.field == "memory[0].contents" && tooBig.message.contains("4097 bytes do not fit"))
    }
}
