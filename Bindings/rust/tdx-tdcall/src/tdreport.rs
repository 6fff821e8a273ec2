//! TDG.MR.REPORT and TDG.MR.VERIFYREPORT with the TDREPORT_STRUCT layout of the TDX module ABI
//! (`tdx_tdcall::tdreport` of 0.2). SoftSEAM does not model either leaf yet, so against the model both
//! calls return the module model's error status; the types are here so that code using them builds.

use crate::leaf::{TDCALL_TDREPORT, TDCALL_VERIFYREPORT};
use crate::{td_call, TdCallError, TdcallArgs};
use std::fmt;

/// TDREPORT_STRUCT: 1024 bytes.
pub const TD_REPORT_SIZE: usize = 0x400;
/// REPORTDATA: 64 bytes.
pub const TD_REPORT_ADDITIONAL_DATA_SIZE: usize = 64;

/// REPORTTYPE (4 bytes): type 0x81 for TDX, subtype, version.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReportType {
    /// TEE type (0x81: TDX).
    pub r#type: u8,
    /// Subtype.
    pub subtype: u8,
    /// Version.
    pub version: u8,
    /// Reserved.
    pub reserved: u8,
}

/// REPORTMACSTRUCT (256 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportMac {
    /// REPORTTYPE.
    pub report_type: ReportType,
    /// Reserved.
    pub reserved0: [u8; 12],
    /// CPUSVN.
    pub cpu_svn: [u8; 16],
    /// SHA-384 of TEE_TCB_INFO.
    pub tee_tcb_info_hash: [u8; 48],
    /// SHA-384 of TDINFO.
    pub tee_info_hash: [u8; 48],
    /// REPORTDATA.
    pub report_data: [u8; 64],
    /// Reserved.
    pub reserved1: [u8; 32],
    /// The MAC.
    pub mac: [u8; 32],
}

/// TEE_TCB_INFO (239 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeeTcbInfo {
    /// Which fields are valid.
    pub valid: [u8; 8],
    /// TEE_TCB_SVN.
    pub tee_tcb_svn: [u8; 16],
    /// MRSEAM.
    pub mrseam: [u8; 48],
    /// MRSIGNERSEAM.
    pub mrsigner_seam: [u8; 48],
    /// ATTRIBUTES.
    pub attributes: [u8; 8],
    /// TEE_TCB_SVN2.
    pub tee_tcb_svn2: [u8; 16],
    /// Reserved.
    pub reserved: [u8; 95],
}

/// TDINFO_STRUCT (512 bytes).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TdInfo {
    /// ATTRIBUTES.
    pub attributes: [u8; 8],
    /// XFAM.
    pub xfam: [u8; 8],
    /// MRTD.
    pub mrtd: [u8; 48],
    /// MRCONFIGID.
    pub mrconfig_id: [u8; 48],
    /// MROWNER.
    pub mrowner: [u8; 48],
    /// MROWNERCONFIG.
    pub mrownerconfig: [u8; 48],
    /// RTMR 0.
    pub rtmr0: [u8; 48],
    /// RTMR 1.
    pub rtmr1: [u8; 48],
    /// RTMR 2.
    pub rtmr2: [u8; 48],
    /// RTMR 3.
    pub rtmr3: [u8; 48],
    /// SERVTD_HASH.
    pub servtd_hash: [u8; 48],
    /// Reserved.
    pub reserved: [u8; 64],
}

/// TDREPORT_STRUCT (1024 bytes).
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct TdxReport {
    /// REPORTMACSTRUCT.
    pub report_mac: ReportMac,
    /// TEE_TCB_INFO.
    pub tee_tcb_info: TeeTcbInfo,
    /// Reserved.
    pub reserved: [u8; 17],
    /// TDINFO_STRUCT.
    pub td_info: TdInfo,
}

macro_rules! byte_views {
    ($($t:ty),*) => {$(
        impl $t {
            /// The structure's bytes.
            pub fn as_bytes(&self) -> &[u8] {
                // Only byte arrays inside: any bit pattern is valid.
                unsafe { std::slice::from_raw_parts(self as *const $t as *const u8, std::mem::size_of::<$t>()) }
            }
        }
    )*};
}
byte_views!(ReportMac, TeeTcbInfo, TdInfo);

impl TdxReport {
    /// The report's 1024 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        unsafe { std::slice::from_raw_parts(self as *const TdxReport as *const u8, TD_REPORT_SIZE) }
    }
    /// The report's 1024 bytes, writable.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        unsafe { std::slice::from_raw_parts_mut(self as *mut TdxReport as *mut u8, TD_REPORT_SIZE) }
    }
    /// A report from its first 1024 bytes; None when `bytes` is shorter.
    pub fn read_from_bytes(bytes: &[u8]) -> Option<TdxReport> {
        if bytes.len() < TD_REPORT_SIZE {
            return None;
        }
        let mut report = TdxReport::default();
        report.as_bytes_mut().copy_from_slice(&bytes[..TD_REPORT_SIZE]);
        Some(report)
    }
}

impl Default for TdxReport {
    fn default() -> TdxReport {
        // All zeros: only byte arrays inside.
        unsafe { std::mem::zeroed() }
    }
}

impl fmt::Debug for TdxReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TdxReport(")?;
        for b in self.as_bytes() {
            write!(f, "{:02x}", b)?;
        }
        write!(f, ")")
    }
}

impl fmt::Display for TdxReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[repr(C, align(1024))]
struct ReportBuffer([u8; TD_REPORT_SIZE]);
#[repr(C, align(64))]
struct ReportDataBuffer([u8; TD_REPORT_ADDITIONAL_DATA_SIZE]);
#[repr(C, align(256))]
struct ReportMacBuffer([u8; 256]);

/// TDG.MR.REPORT with REPORTDATA `additional_data`, the buffers' addresses taken as GPAs. As in an
/// identity-mapped TD, REPORTDATA is first written into the TD at its address and the report is read back
/// from the TD at the report buffer's address; buffers whose addresses the TD does not map are refused before
/// any TDCALL (`TdxExitInvalidParameters`).
pub fn tdcall_report(additional_data: &[u8; TD_REPORT_ADDITIONAL_DATA_SIZE]) -> Result<TdxReport, TdCallError> {
    let mut report = ReportBuffer([0; TD_REPORT_SIZE]);
    let data = ReportDataBuffer(*additional_data);
    let (report_gpa, data_gpa) = (report.0.as_mut_ptr() as u64, data.0.as_ptr() as u64);
    if !crate::backend::stage(data_gpa, &data.0) || !crate::backend::stage(report_gpa, &report.0) {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    let mut args = TdcallArgs { rax: TDCALL_TDREPORT, rcx: report_gpa, rdx: data_gpa, ..TdcallArgs::default() };
    match td_call(&mut args) {
        0 => {
            crate::backend::with_machine(|m, _| m.mem_read(report_gpa, &mut report.0).map(|_| ()))
                .map_err(|_| TdCallError::TdxExitInvalidParameters)?;
            Ok(TdxReport::read_from_bytes(&report.0).unwrap_or_default())
        }
        status => Err(status.into()),
    }
}

/// TDG.MR.VERIFYREPORT of a REPORTMACSTRUCT (256 bytes; other lengths are refused before any TDCALL). The
/// bytes are written into the TD at the buffer's address first (an identity-mapped TD has them there); a
/// buffer the TD does not map is refused before any TDCALL.
pub fn tdcall_verify_report(report_mac: &[u8]) -> Result<(), TdCallError> {
    if report_mac.len() != 256 {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    let mut mac = ReportMacBuffer([0; 256]);
    mac.0.copy_from_slice(report_mac);
    let gpa = mac.0.as_ptr() as u64;
    if !crate::backend::stage(gpa, &mac.0) {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    let mut args = TdcallArgs { rax: TDCALL_VERIFYREPORT, rcx: gpa, ..TdcallArgs::default() };
    match td_call(&mut args) {
        0 => Ok(()),
        status => Err(status.into()),
    }
}
