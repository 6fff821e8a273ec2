import SEAMCore
import SEAMTypes
import Testing

// TDG.MR.REPORT (4) and TDG.MR.VERIFYREPORT (22): check order from tdx-module src/td_dispatcher/vm_exits/tdg_mr_report.c
// (RCX 1024-byte aligned, RDX 64-byte aligned, REPORTDATA's page, R8 = 0, an interrupt pending for L1, then the
// report's page) and tdg_mr_verifyreport.c (SEAMVERIFYREPORT available, RCX 256-byte aligned and private, then the
// CPU's CPUSVN and MAC checks). The layout is td_report_t of include/tdx_api_defs.h; what the CPU writes on hardware
// (CPUSVN, TEE_TCB_INFO, the MAC) is SoftSEAM's own, documented in Sources/SEAMCore/Measurement/TDReport.swift.
//
// Expected bytes for standardMachine (NUM_L2_VMS 3, 1 vCPU, GPAW 48, ATTRIBUTES 0, XFAM 3, MRTD of MRTDTests),
// REPORTDATA 0xA0…0xDF, computed outside SoftSEAM with Python's hashlib and hmac:
//   TEE_TCB_INFO = VALID 0x1FF, TEE_TCB_SVN 1.5.1, MRSEAM = sha384("SoftSEAM model of TDX module 1.5.01"), rest 0
//   TEE_TCB_INFO_HASH = sha384(TEE_TCB_INFO); TEE_INFO_HASH = sha384(TDINFO: ATTRIBUTES, XFAM, MRTD, zeros)
//   MAC = HMAC-SHA-256(sha256("SoftSEAM TDREPORT MAC key v1" ‖ LE words 3, 1, 48, 0, 3), REPORTMACSTRUCT[0..<224])
@Suite struct TDReportTests {
    static let report: UInt64 = 4
    static let verify: UInt64 = 22
    static let reportGPA: UInt64 = 0x4000
    static let dataGPA: UInt64 = 0x3040
    static let reportData: [UInt8] = (0..<64).map { 0xA0 + UInt8($0) }

    static func bytes(_ hex: String) -> [UInt8] {
        let u = Array(hex.utf8)
        return stride(from: 0, to: u.count, by: 2).map {
            UInt8(String(decoding: u[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }
    static let teeTCBInfoHash = bytes(
        "16adfc13d7f1dd2e27b7e1cba732b1101e00fc6fe7a6c026b3ddb98ad3758a082a3d56d177f182b353ceda75cded984b")
    static let teeInfoHash = bytes(
        "b72927b6ad651c763af64d974f409df5a8c60fa3968740e11d8476dff666f543f34e46c37279c02e28246c4f1175b6a4")
    static let mac = bytes("829bdb97d993c0c7874f0f54bbf5fac5f27539838c680e6a57b3bc4d3d8d72ba")
    static let mrseam = bytes(
        "13f4855ebab75dbf98708268badd23cf3a540581fa9a91a973f67b83b01238ea4ecd0bcad6fb3f04a0e242bbf0c8f895")

    static func reported() throws -> Machine {
        var m = standardMachine()
        try m.writeMemory(gpa: dataGPA, reportData)
        let c = try m.td(report, rcx: reportGPA, rdx: dataGPA)
        try #require(c.regs.rax == St.success)
        #expect(c.regs.rcx == reportGPA && c.regs.rdx == dataGPA)  // only RAX is written
        return m
    }

    @Test func theReportHoldsTheTDAndItsMeasurementsAndIsMACed() throws {
        var m = try Self.reported()
        let r = try m.readMemory(gpa: Self.reportGPA, count: 1024)
        #expect(Array(r[0..<4]) == [0x81, 0, 0, 0])  // REPORTTYPE: TDX, subtype 0, version 0 (no service TD)
        #expect(r[16..<32].allSatisfy { $0 == 0 })  // CPUSVN
        #expect(Array(r[32..<80]) == Self.teeTCBInfoHash)
        #expect(Array(r[80..<128]) == Self.teeInfoHash)
        #expect(Array(r[128..<192]) == Self.reportData)
        #expect(Array(r[224..<256]) == Self.mac)
        #expect(Array(r[256..<258]) == [0xFF, 0x01] && Array(r[264..<267]) == [1, 5, 1])
        #expect(Array(r[280..<328]) == Self.mrseam)
        #expect(r[328..<376].allSatisfy { $0 == 0 }, "MRSIGNERSEAM: no Intel signer")
        #expect(Array(r[520..<528]) == [3, 0, 0, 0, 0, 0, 0, 0])  // XFAM
        let mrtd = MRTDTests.standard.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
        #expect(Array(r[528..<576]) == mrtd)
        #expect(r[720..<960].allSatisfy { $0 == 0 }, "RTMRs and SERVTD_HASH")
        #expect(try m.td(Self.verify, rcx: Self.reportGPA).regs.rax == St.success)
    }

    @Test func rtmrsEnterTheReport() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x3080, Array(repeating: 0x11, count: 48))
        #expect(try m.td(2, rcx: 0x3080, rdx: 3).regs.rax == St.success)
        #expect(try m.td(Self.report, rcx: Self.reportGPA, rdx: Self.dataGPA).regs.rax == St.success)
        let r = try m.readMemory(gpa: Self.reportGPA, count: 1024)
        #expect(Array(r[864..<912]) == m.rtmr.register(3))  // RTMR3 at 720 + 3 · 48
        #expect(r[864..<912].contains { $0 != 0 })
    }

    @Test func verifyReportRejectsAnyChange() throws {
        var m = try Self.reported()
        try m.writeMemory(gpa: Self.reportGPA + 130, [0])  // REPORTDATA
        // INVALID_REPORTMACSTRUCT
        #expect(try m.td(Self.verify, rcx: Self.reportGPA).regs.rax == 0xC000_1001_0000_0000)
        var n = try Self.reported()
        try n.writeMemory(gpa: Self.reportGPA + 16, [1])  // CPUSVN
        #expect(try n.td(Self.verify, rcx: Self.reportGPA).regs.rax == 0xC000_1000_0000_0000)  // INVALID_CPUSVN
        // Another TD shape has another key: its MAC does not verify here.
        var other = Machine(config: standardConfig(numL2VMs: 2))
        try other.writeMemory(gpa: Self.dataGPA, Self.reportData)
        #expect(try other.td(Self.report, rcx: Self.reportGPA, rdx: Self.dataGPA).regs.rax == St.success)
        try m.writeMemory(gpa: Self.reportGPA, try other.readMemory(gpa: Self.reportGPA, count: 256))
        #expect(try m.td(Self.verify, rcx: Self.reportGPA).regs.rax == 0xC000_1001_0000_0000)
    }

    @Test func verifyReportChecksInTheModulesOrder() throws {
        var m = try Self.reported()
        #expect(try m.td(Self.verify, rcx: Self.reportGPA + 0x80).regs.rax == St.operandInvalidRCX)
        #expect(try m.td(Self.verify, rcx: Self.reportGPA | 1 << 47).regs.rax == St.operandInvalidRCX)  // shared
        let e = try #require(try m.td(Self.verify, rcx: 0x9000).exit)  // unmapped: EPT violation, read
        #expect(e.rax == 48 && e.rcx == 1 && e.r8 == 0x9000)
        var config = standardConfig()
        config.platform = try #require(GlobalPlatform.named("no-seamverifyreport"))
        var old = Machine(config: config)
        #expect(try old.td(Self.verify, rcx: Self.reportGPA + 0x80).regs.rax == St.operandInvalidRAX)
    }

    @Test func reportChecksInTheModulesOrder() throws {
        var m = standardMachine()
        let before = m.stateHash()
        #expect(try m.td(Self.report, rcx: Self.reportGPA + 0x200, rdx: 0x3001, r8: 1).regs.rax == St.operandInvalidRCX)
        #expect(try m.td(Self.report, rcx: Self.reportGPA, rdx: 0x3020, r8: 1).regs.rax == St.operandInvalidRDX)
        #expect(try m.td(Self.report, rcx: Self.reportGPA, rdx: 1 << 48, r8: 1).regs.rax == St.operandInvalidRDX)
        #expect(try m.td(Self.report, rcx: Self.reportGPA, rdx: Self.dataGPA, r8: 1).regs.rax == St.operandInvalidR8)
        #expect(m.stateHash() == before)
        // REPORTDATA on a PENDING page: #VE (read) before R8 is checked.
        let ve = try m.td(Self.report, rcx: Self.reportGPA, rdx: 0x10000, r8: 1)
        #expect(ve.outcome == .completed && ve.regs.rax == Self.report)
        #expect(m.vcpus[0].veInfo.exitQualification == 1 && m.vcpus[0].veInfo.gpa == 0x10000)
        // The report's page is checked last: unmapped → EPT-violation TD exit (write), nothing written.
        var n = standardMachine()
        let e = try #require(try n.td(Self.report, rcx: 0x9000, rdx: Self.dataGPA).exit)
        #expect(e.rax == 48 && e.rcx == 3 && e.r8 == 0x9000)
    }

    @Test func anInterruptPendingForL1InterruptsTheReport() throws {
        var m = standardMachine()
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0)
        var r = RegisterFile(rax: Self.report, rcx: Self.reportGPA, rdx: Self.dataGPA)
        #expect(try m.tdcall(vcpu: 0, &r) == .interrupted)
        #expect(r.rax == Self.report, "no RAX written")
        #expect(try m.readMemory(gpa: Self.reportGPA, count: 1024).allSatisfy { $0 == 0 }, "nothing written")
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0, ppr: 0)
        #expect(try m.tdcall(vcpu: 0, &r) == .completed && r.rax == St.success)
    }
}

// MRCONFIGID, MROWNER, MROWNERCONFIG from TD_PARAMS (include/tdx_api_defs.h td_params_t): TDG.VM.RD reads them
// (fields 0x1310000300000010, …18, …20) and TDINFO carries them at 576, 624 and 672.
@Suite struct TDParamsMeasurementTests {
    static let values: [[UInt8]] = [
        (0..<48).map { UInt8($0) }, (0..<48).map { 0x80 | UInt8($0) }, Array(repeating: 0xEE, count: 48),
    ]

    static func machine() -> Machine {
        var config = standardConfig()
        config.measurements = TDParamsMeasurements(mrConfigID: values[0], mrOwner: values[1], mrOwnerConfig: values[2])
        return Machine(config: config)
    }

    @Test func vmRdReadsThemAndTheReportCarriesThem() throws {
        var m = Self.machine()
        for (i, field) in [0x1310_0003_0000_0010, 0x1310_0003_0000_0018, 0x1310_0003_0000_0020].enumerated() {
            for k in 0..<6 {
                let c = try m.td(TDG.vmRd, rdx: UInt64(field + k))
                let expected = (0..<8).reduce(UInt64(0)) { $0 | UInt64(Self.values[i][8 * k + $1]) << (8 * UInt64($1)) }
                #expect(c.regs.rax == St.success && c.regs.r8 == expected, "value \(i) word \(k)")
            }
        }
        #expect(try m.td(4, rcx: TDReportTests.reportGPA, rdx: TDReportTests.dataGPA).regs.rax == St.success)
        let r = try m.readMemory(gpa: TDReportTests.reportGPA, count: 1024)
        #expect(Array(r[576..<624]) == Self.values[0])
        #expect(Array(r[624..<672]) == Self.values[1])
        #expect(Array(r[672..<720]) == Self.values[2])
        #expect(try m.td(22, rcx: TDReportTests.reportGPA).regs.rax == St.success)
    }

    @Test func theyAreStateHashed() {
        let m = Self.machine()
        #expect(m.stateHash() != standardMachine().stateHash())
        #expect(m.recomputedStateHash() == m.stateHash())
    }
}
