//! A drop-in for td-shim's `tdx-tdcall` crate (its 0.2 public API) whose TDCALLs run against SoftSEAM.
//!
//! Code written against `tdx-tdcall` — td-shim and its payloads, MigTD, a TD-partitioning L1 — executes
//! TDCALL through [`td_call`] and [`td_vmcall`]. Here those reach the vCPU of a [`softseam::Machine`]
//! attached to the calling thread with [`backend::attach`], so the code meets the module's real semantics
//! (accept fallbacks, attribute writes, L2 entry, the host's TDVMCALL answers) instead of stubs. Point a code
//! base at it with
//!
//! ```toml
//! [patch.crates-io]
//! tdx-tdcall = { path = "…/Bindings/rust/tdx-tdcall" }
//! ```
//!
//! and attach a machine in the test around it:
//!
//! ```no_run
//! let td = softseam::Machine::new(r#"{"memory": [{"gpa": "0x200000", "size": "0x200000", "state": "pending"}]}"#)?;
//! tdx_tdcall::backend::attach(td, 0);
//! tdx_tdcall::tdx::td_accept_memory(0x200000, 0x200000); // the code under test
//! let td = tdx_tdcall::backend::detach().unwrap();
//! # Ok::<(), softseam::Error>(())
//! ```
//!
//! Addresses the API passes to the module (an RTMR digest, a report buffer) are taken as the TD's GPAs, as in
//! an identity-mapped TD: [`tdx::tdcall_extend_rtmr`] and the [`tdreport`] calls write their buffers into the
//! TD at their addresses first (a report is read back from there) and refuse a buffer the TD does not map.
//! The built-in host answers GetQuote only in shared memory it mapped, and does not serve the service-TD or the
//! MigTD TDVMCALLs (they return the host's error status unless a host callback answers them). The cargo features of the original are not here (there is no
//! assembly to switch).

#![warn(missing_docs)]

pub mod backend;
pub mod tdreport;
pub mod tdx;

/// Whether the crate's TDX emulation is used (the original's `use_tdx_emulation` feature): `false` — the
/// TDCALLs go to the SoftSEAM model of the module, not to an emulation of the instruction.
pub const USE_TDX_EMULATION: bool = false;
/// Whether TDG.MEM.PAGE.ACCEPT is available (the original's `no-tdaccept` feature off).
pub const TDACCEPT_SUPPORT: bool = true;

/// TDCALL leaf numbers (RAX), as the TDX module ABI numbers them.
pub mod leaf {
    #![allow(missing_docs)]
    pub const TDCALL_TDINFO: u64 = 1;
    pub const TDCALL_TDEXTENDRTMR: u64 = 2;
    pub const TDCALL_TDGETVEINFO: u64 = 3;
    pub const TDCALL_TDREPORT: u64 = 4;
    pub const TDCALL_TDACCEPTPAGE: u64 = 6;
    pub const TDCALL_VM_RD: u64 = 7;
    pub const TDCALL_VM_WR: u64 = 8;
    pub const TDCALL_VP_RD: u64 = 9;
    pub const TDCALL_VP_WR: u64 = 10;
    pub const TDCALL_SYS_RD: u64 = 11;
    pub const TDCALL_SERVTD_RD: u64 = 18;
    pub const TDCALL_SERVTD_WR: u64 = 20;
    pub const TDCALL_VERIFYREPORT: u64 = 22;
    pub const TDCALL_MEM_PAGE_ATTR_WR: u64 = 24;
    pub const TDCALL_VP_ENTER: u64 = 25;
    pub const TDCALL_VP_INVEPT: u64 = 26;
    pub const TDCALL_VP_INVVPID: u64 = 27;
    pub const TDCALL_SERVTD_REBIND_APPROVE: u64 = 33;
    /// TDG.VP.VMCALL sub-functions (R11), GHCI.
    pub const TDVMCALL_CPUID: u64 = 0x0000a;
    pub const TDVMCALL_HALT: u64 = 0x0000c;
    pub const TDVMCALL_IO: u64 = 0x0001e;
    pub const TDVMCALL_RDMSR: u64 = 0x0001f;
    pub const TDVMCALL_WRMSR: u64 = 0x00020;
    pub const TDVMCALL_MMIO: u64 = 0x00030;
    pub const TDVMCALL_MAPGPA: u64 = 0x10001;
    pub const TDVMCALL_GETQUOTE: u64 = 0x10002;
    pub const TDVMCALL_REPORTFATALERROR: u64 = 0x10003;
    pub const TDVMCALL_SETUPEVENTNOTIFY: u64 = 0x10004;
    pub const TDVMCALL_SERVICE: u64 = 0x10005;
    pub const TDVMCALL_MIGTD: u64 = 0x10006;
    /// `TDG.VP.VMCALL<MigTD>` functions (R12 bits 15:0; the API version, 1, in bits 23:16).
    pub const TDVMCALL_MIGTD_WAITFORREQUEST: u16 = 1;
    pub const TDVMCALL_MIGTD_REPORTSTATUS: u16 = 2;
    pub const TDVMCALL_MIGTD_SEND: u16 = 3;
    pub const TDVMCALL_MIGTD_RECEIVE: u16 = 4;
}

/// TDCALL completion status: success.
pub const TDCALL_STATUS_SUCCESS: u64 = 0;
/// TDG.MEM.PAGE.ACCEPT of a page already accepted (4K level in the details).
pub const TDCALL_STATUS_PAGE_ALREADY_ACCEPTED: u64 = 0x0000_0B0A_0000_0000;
/// TDG.MEM.PAGE.ACCEPT at 2M of memory mapped with 4K pages (the level, 1, in the details).
pub const TDCALL_STATUS_PAGE_SIZE_MISMATCH: u64 = 0xC000_0B0B_0000_0001;
/// TDG.VP.VMCALL sub-function status (R10): success.
pub const TDVMCALL_STATUS_SUCCESS: u64 = 0;
/// TDG.VP.VMCALL sub-function status (R10): retry (MapGPA: from the GPA in R11).
pub const TDVMCALL_STATUS_RETRY: u64 = 1;

/// The registers of a TDCALL: RAX (leaf in, status out) and RCX, RDX, R8–R14 (inputs and outputs).
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TdcallArgs {
    /// RAX.
    pub rax: u64,
    /// RCX.
    pub rcx: u64,
    /// RDX.
    pub rdx: u64,
    /// R8.
    pub r8: u64,
    /// R9.
    pub r9: u64,
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
    /// R12.
    pub r12: u64,
    /// R13.
    pub r13: u64,
    /// R14.
    pub r14: u64,
}

/// The registers a TDG.VP.VMCALL exposes to the host: R10 (0 = a GHCI sub-function in; its status out),
/// R11 (the sub-function in; a result out) and R12–R15.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TdVmcallArgs {
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
    /// R12.
    pub r12: u64,
    /// R13.
    pub r13: u64,
    /// R14.
    pub r14: u64,
    /// R15.
    pub r15: u64,
}

/// A TDG.VP.VMCALL exposing RDX, RBX, RSI, RDI and R8–R15.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TdVmcallArgsEx {
    /// RDX.
    pub rdx: u64,
    /// RBX.
    pub rbx: u64,
    /// RSI.
    pub rsi: u64,
    /// RDI.
    pub rdi: u64,
    /// R8.
    pub r8: u64,
    /// R9.
    pub r9: u64,
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
    /// R12.
    pub r12: u64,
    /// R13.
    pub r13: u64,
    /// R14.
    pub r14: u64,
    /// R15.
    pub r15: u64,
}

/// A TDCALL that did not succeed, by its completion status (RAX).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TdCallError {
    /// The wrapper refused its arguments before any TDCALL.
    TdxExitInvalidParameters,
    /// TDX_OPERAND_BUSY (class 0x80000200), with the details (operand id).
    TdxExitReasonOperandBusy(u32),
    /// TDX_OPERAND_INVALID (class 0xC0000100), with the details (operand id).
    TdxExitReasonOperandInvalid(u32),
    /// Any other status, whole.
    LeafSpecific(u64),
}

impl From<u64> for TdCallError {
    fn from(status: u64) -> TdCallError {
        let details = status as u32;
        match status >> 32 {
            0x8000_0200 => TdCallError::TdxExitReasonOperandBusy(details),
            0xC000_0100 => TdCallError::TdxExitReasonOperandInvalid(details),
            _ => TdCallError::LeafSpecific(status),
        }
    }
}

/// A TDG.VP.VMCALL sub-function that did not succeed, by its status (R10).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TdVmcallError {
    /// TDG.VP.VMCALL_RETRY (1).
    VmcallRetry,
    /// TDG.VP.VMCALL_INVALID_OPERAND (0x8000000000000000).
    VmcallOperandInvalid,
    /// TDG.VP.VMCALL_GPA_INUSE (0x8000000000000001).
    VmcallGpaInuse,
    /// TDG.VP.VMCALL_ALIGN_ERROR (0x8000000000000002).
    VmcallAlignError,
    /// Any other status.
    Other,
}

impl From<u64> for TdVmcallError {
    fn from(status: u64) -> TdVmcallError {
        match status {
            1 => TdVmcallError::VmcallRetry,
            0x8000_0000_0000_0000 => TdVmcallError::VmcallOperandInvalid,
            0x8000_0000_0000_0001 => TdVmcallError::VmcallGpaInuse,
            0x8000_0000_0000_0002 => TdVmcallError::VmcallAlignError,
            _ => TdVmcallError::Other,
        }
    }
}

/// Executes TDCALL with `args` on the attached vCPU; every register of `args` is written back; returns RAX.
/// Panics when no machine is attached to this thread, or when the TDCALL cannot complete (the library's
/// misuse errors, or a TD exit the host did not resume L1 from): L1 does not run on there.
pub fn td_call(args: &mut TdcallArgs) -> u64 {
    let mut regs = softseam::Regs {
        rax: args.rax,
        rcx: args.rcx,
        rdx: args.rdx,
        r8: args.r8,
        r9: args.r9,
        r10: args.r10,
        r11: args.r11,
        r12: args.r12,
        r13: args.r13,
        r14: args.r14,
        ..softseam::Regs::default()
    };
    backend::execute(&mut regs);
    args.rax = regs.rax;
    args.rcx = regs.rcx;
    args.rdx = regs.rdx;
    args.r8 = regs.r8;
    args.r9 = regs.r9;
    args.r10 = regs.r10;
    args.r11 = regs.r11;
    args.r12 = regs.r12;
    args.r13 = regs.r13;
    args.r14 = regs.r14;
    regs.rax
}

/// RCX of a TDG.VP.VMCALL that exposes R10–R15.
const VMCALL_EXPOSE_R10_R15: u64 = 0xFC00;
/// RCX of a TDG.VP.VMCALL that exposes RDX, RBX, RSI, RDI, R8–R15 (bits 2, 3, 6, 7, 8–15).
const VMCALL_EXPOSE_EX: u64 = 0xFFCC;

/// TDG.VP.VMCALL exposing R10–R15 from `args`; they are written back; returns the sub-function status (R10).
/// Panics as [`td_call`] does, and when the TDCALL itself fails (RAX ≠ 0).
pub fn td_vmcall(args: &mut TdVmcallArgs) -> u64 {
    let mut regs = softseam::Regs {
        rax: 0,
        rcx: VMCALL_EXPOSE_R10_R15,
        r10: args.r10,
        r11: args.r11,
        r12: args.r12,
        r13: args.r13,
        r14: args.r14,
        r15: args.r15,
        ..softseam::Regs::default()
    };
    backend::execute(&mut regs);
    if regs.rax != 0 {
        panic!("TDG.VP.VMCALL failed: RAX 0x{:016X}", regs.rax);
    }
    args.r10 = regs.r10;
    args.r11 = regs.r11;
    args.r12 = regs.r12;
    args.r13 = regs.r13;
    args.r14 = regs.r14;
    args.r15 = regs.r15;
    regs.r10
}

/// [`td_vmcall`] with STI before it (`do_sti`); interrupts of the TD are the machine's business here, so
/// `do_sti` changes nothing.
pub fn td_vmcall_ex(args: &mut TdVmcallArgs, do_sti: bool) -> u64 {
    let _ = do_sti;
    td_vmcall(args)
}

/// TDG.VP.VMCALL exposing RDX, RBX, RSI, RDI and R8–R15 from `args`; written back; returns R10.
pub fn td_vmcall_ex2(args: &mut TdVmcallArgsEx, do_sti: bool) -> u64 {
    let _ = do_sti;
    let mut regs = softseam::Regs {
        rax: 0,
        rcx: VMCALL_EXPOSE_EX,
        rdx: args.rdx,
        rbx: args.rbx,
        rsi: args.rsi,
        rdi: args.rdi,
        r8: args.r8,
        r9: args.r9,
        r10: args.r10,
        r11: args.r11,
        r12: args.r12,
        r13: args.r13,
        r14: args.r14,
        r15: args.r15,
        ..softseam::Regs::default()
    };
    backend::execute(&mut regs);
    if regs.rax != 0 {
        panic!("TDG.VP.VMCALL failed: RAX 0x{:016X}", regs.rax);
    }
    args.rdx = regs.rdx;
    args.rbx = regs.rbx;
    args.rsi = regs.rsi;
    args.rdi = regs.rdi;
    args.r8 = regs.r8;
    args.r9 = regs.r9;
    args.r10 = regs.r10;
    args.r11 = regs.r11;
    args.r12 = regs.r12;
    args.r13 = regs.r13;
    args.r14 = regs.r14;
    args.r15 = regs.r15;
    regs.r10
}
