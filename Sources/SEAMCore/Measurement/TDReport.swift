import Crypto
import SEAMTypes

/// TDREPORT_STRUCT (1,024 bytes) as TDG.MR.REPORT writes it, and the MAC TDG.MR.VERIFYREPORT checks.
///
///     offset  size  field                              written by (on hardware)   SoftSEAM puts
///          0   256  REPORTMACSTRUCT
///          0     4    REPORTTYPE: type, subtype, version  module                0x81, 0, 0 (no service TD)
///         16    16    CPUSVN                              CPU (SEAMREPORT)      16 zero bytes
///         32    48    TEE_TCB_INFO_HASH                   CPU                   SHA-384 of TEE_TCB_INFO
///         80    48    TEE_INFO_HASH                       module                SHA-384 of TDINFO
///        128    64    REPORTDATA                          L1 (RDX)              as read
///        224    32    MAC                                 CPU                   HMAC-SHA-256 of bytes 0…223
///        256   256  TEE_TCB_INFO                          CPU (the SEAM module's identity)
///        256     8    VALID                                                     0x1FF
///        264    16    TEE_TCB_SVN                                               1, 5, 1 (module 1.5.01)
///        280    48    MRSEAM                                                    SHA-384 of "SoftSEAM model of
///                                                                               TDX module 1.5.01"
///        328    48    MRSIGNERSEAM                                              zero (no Intel signer)
///        376     8    ATTRIBUTES                                                0
///        512   512  TDINFO                              module
///        512     8    ATTRIBUTES, 520 XFAM, 528 MRTD, 576 MRCONFIGID, 624 MROWNER, 672 MROWNERCONFIG (the
///                     config's TD_PARAMS values),
///                     720 RTMR[0…3] (4 × 48), 912 SERVTD_HASH (zero: no service TD bound)
///
/// Layout: tdx-module `include/tdx_api_defs.h` (td_report_t, report_mac_struct_t, td_info_t) and
/// `src/td_dispatcher/vm_exits/tdg_mr_report.c`. CPUSVN, TEE_TCB_INFO and the MAC come from the CPU's SEAMOPS
/// on hardware; SoftSEAM's are its own and say so: MRSEAM names the model, MRSIGNERSEAM is zero, and the MAC
/// key (`reportKey`) is derived from the TD's shape, so a report MACed by SoftSEAM verifies only in SoftSEAM.
public enum TDReport {
    public static let size = 1024
    public static let macStructSize = 256
    /// REPORTTYPE.TYPE of a TD report.
    public static let type: UInt8 = 0x81

    /// The bytes the MAC covers: REPORTMACSTRUCT up to the MAC, which follows them (32 bytes).
    static let macCovered = 224
    /// Where the fields a verifier reads sit in the report (the table above): REPORTDATA in REPORTMACSTRUCT;
    /// TDINFO, and in it MRTD at 16 and RTMR[i] at 208 + 48·i.
    public static let reportDataOffset = 128
    public static let tdInfoOffset = 512
    static let tdInfoMRTD = 16
    static let tdInfoRTMR = 208
    public static var mrtdOffset: Int { tdInfoOffset + tdInfoMRTD }
    public static func rtmrOffset(_ index: Int) -> Int { tdInfoOffset + tdInfoRTMR + 48 * index }

    /// TEE_TCB_INFO as SoftSEAM reports it (see the table above).
    public static let teeTCBInfo: [UInt8] = {
        var b = [UInt8](repeating: 0, count: 256)
        b[0] = 0xFF
        b[1] = 0x01  // VALID: the fields below
        b[8] = 1
        b[9] = 5
        b[10] = 1  // TEE_TCB_SVN: module 1.5.01
        let mrseam = Array(SHA384.hash(data: Array("SoftSEAM model of TDX module 1.5.01".utf8)))
        b.replaceSubrange(24..<72, with: mrseam)
        return b
    }()

    /// The MAC key of a TD: SHA-256 of a label and the TD's shape (NUM_L2_VMS, vCPUs, GPAW, ATTRIBUTES, XFAM),
    /// so it is the same in every run of the same config.
    static func reportKey(_ m: Machine) -> SymmetricKey {
        let words: [UInt64] = [UInt64(m.numL2VMs), UInt64(m.vcpuCount), UInt64(m.width.bits), m.attributes, m.xfam]
        let bytes = Array("SoftSEAM TDREPORT MAC key v1".utf8) + words.flatMap(\.littleEndianBytes)
        return SymmetricKey(data: SHA256.hash(data: bytes))
    }

    /// HMAC-SHA-256 of REPORTMACSTRUCT's first 224 bytes under the TD's key.
    static func mac(_ macStruct: ArraySlice<UInt8>, key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(macStruct.prefix(macCovered)), using: key))
    }

    /// Whether the MAC of `report` (a whole report, or its REPORTMACSTRUCT alone) is the one this TD's key gives
    /// (what TDG.MR.VERIFYREPORT and a quoting enclave check).
    static func hasValidMAC(_ report: [UInt8], _ m: Machine) -> Bool {
        mac(report[0..<macStructSize], key: reportKey(m)) == Array(report[macCovered..<macStructSize])
    }

    /// TDINFO of the machine's TD (512 bytes).
    static func tdInfo(_ m: Machine) -> [UInt8] {
        var b = m.attributes.littleEndianBytes + m.xfam.littleEndianBytes + m.mrtd + m.tdParams.all.flatMap { $0 }
        for i in 0..<RTMRegisters.count { b += m.rtmr.register(i) }
        precondition(b.count == tdInfoRTMR + 48 * RTMRegisters.count)
        return b + [UInt8](repeating: 0, count: 512 - b.count)  // SERVTD_HASH and reserved: zero
    }

    /// The whole TDREPORT_STRUCT with `reportData` (64 bytes).
    static func make(_ m: Machine, reportData: [UInt8]) -> [UInt8] {
        var r = [UInt8](repeating: 0, count: size)
        r[0] = type  // subtype 0, version 0: no service TD is bound
        r.replaceSubrange(32..<80, with: Array(SHA384.hash(data: teeTCBInfo)))
        let info = tdInfo(m)
        r.replaceSubrange(80..<128, with: Array(SHA384.hash(data: info)))
        r.replaceSubrange(reportDataOffset..<reportDataOffset + 64, with: reportData)
        r.replaceSubrange(macCovered..<macStructSize, with: mac(r[0..<macStructSize], key: reportKey(m)))
        r.replaceSubrange(macStructSize..<tdInfoOffset, with: teeTCBInfo)
        r.replaceSubrange(tdInfoOffset..<size, with: info)
        return r
    }
}

extension Machine {
    /// TDG.MR.REPORT (leaf 4): writes a TDREPORT_STRUCT (`TDReport`) at RCX with the 64 bytes of REPORTDATA
    /// at RDX (tdx-module `src/td_dispatcher/vm_exits/tdg_mr_report.c`). Only RAX is written.
    ///
    /// Checks in the module's order:
    /// 1. RCX not 1024-byte aligned → OPERAND_INVALID(RCX); RDX not 64-byte aligned → OPERAND_INVALID(RDX).
    /// 2. REPORTDATA at RDX (private or shared, read): a GPA beyond GPAW → OPERAND_INVALID(RDX); a page L1
    ///    cannot read → #VE or EPT-violation TD exit.
    /// 3. R8 (sub-type) not 0 → OPERAND_INVALID(R8).
    /// 4. The RTMR lock (BUSY in the module when another vCPU holds it; always free here).
    /// 5. An interrupt pending for L1 → interrupted: nothing written, RIP not advanced, L1 executes it again.
    /// 6. The report at RCX (private or shared, write): OPERAND_INVALID(RCX) or the fault, as for RDX.
    mutating func tdgMRReport(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let reportGPA = regs.rcx, dataGPA = regs.rdx
        guard reportGPA & 0x3FF == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        guard dataGPA & 0x3F == 0 else { return complete(&regs, .operandInvalid.with(.rdx)) }
        switch guestOperand(vcpu: i, gpa: dataGPA, write: false, privateOnly: false) {
        case .invalid: return complete(&regs, .operandInvalid.with(.rdx))
        case .fault(let f): return f
        case .ok: break
        }
        guard regs.r8 == 0 else { return complete(&regs, .operandInvalid.with(.r8)) }
        if l1InterruptPending(vcpu: i) { return .interrupted }
        let reportData = gather(gpa: dataGPA, count: 64)
        switch guestOperand(vcpu: i, gpa: reportGPA, write: true, privateOnly: false) {
        case .invalid: return complete(&regs, .operandInvalid.with(.rcx))
        case .fault(let f): return f
        case .ok: break
        }
        TDReport.make(self, reportData: reportData).withUnsafeBytes { scatter(gpa: reportGPA, $0) }
        return complete(&regs, .success)
    }

    /// TDG.MR.VERIFYREPORT (leaf 22): checks the MAC of the REPORTMACSTRUCT at RCX (tdx-module
    /// `src/td_dispatcher/vm_exits/tdg_mr_verifyreport.c`). In order: the platform lacks SEAMVERIFYREPORT
    /// (TDX_FEATURES0 bit 8 clear, platform `no-seamverifyreport`) → OPERAND_INVALID(RAX); RCX not 256-byte
    /// aligned → OPERAND_INVALID(RCX); RCX not a valid private GPA → OPERAND_INVALID(RCX), a page L1 cannot read
    /// → #VE or EPT-violation TD exit; CPUSVN not this platform's (16 zero bytes in SoftSEAM) →
    /// TDX_INVALID_CPUSVN; the MAC not the one this TD's key gives → TDX_INVALID_REPORTMACSTRUCT.
    mutating func tdgMRVerifyReport(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let features = GlobalField.all.first { $0.name == "TDX_FEATURES0" }?.value(on: platform) ?? 0
        guard features >> 8 & 1 != 0 else { return complete(&regs, .operandInvalid.with(.rax)) }
        let gpa = regs.rcx
        guard gpa & 0xFF == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        switch guestOperand(vcpu: i, gpa: gpa, write: false, privateOnly: true) {
        case .invalid: return complete(&regs, .operandInvalid.with(.rcx))
        case .fault(let f): return f
        case .ok: break
        }
        let macStruct = gather(gpa: gpa, count: TDReport.macStructSize)
        guard macStruct[16..<32].allSatisfy({ $0 == 0 }) else { return complete(&regs, .invalidCPUSVN) }
        guard TDReport.hasValidMAC(macStruct, self) else {
            return complete(&regs, .invalidReportMACStruct)
        }
        return complete(&regs, .success)
    }
}
