//! The TDCALL and TDG.VP.VMCALL wrappers of `tdx-tdcall` 0.2 (`tdx_tdcall::tdx`), over [`crate::td_call`]
//! and [`crate::td_vmcall`].

use crate::leaf::*;
use crate::{td_call, td_vmcall, td_vmcall_ex2, TdCallError, TdVmcallArgs, TdVmcallArgsEx, TdVmcallError, TdcallArgs};
use crate::{TDCALL_STATUS_PAGE_ALREADY_ACCEPTED, TDCALL_STATUS_PAGE_SIZE_MISMATCH, TDVMCALL_STATUS_RETRY};

/// 4 KB.
pub const PAGE_SIZE_4K: u64 = 0x1000;
/// 2 MB.
pub const PAGE_SIZE_2M: u64 = 0x20_0000;

/// A SHA-384 digest to extend an RTMR with (64-byte aligned, 48 bytes used).
#[repr(C, align(64))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TdxDigest {
    /// The digest.
    pub data: [u8; 48],
}

/// TDG.VP.INFO's answer.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TdInfo {
    /// The GPA width (RCX bits 5:0).
    pub gpaw: u64,
    /// ATTRIBUTES (RDX).
    pub attributes: u64,
    /// MAX_VCPUS (R8 bits 63:32).
    pub max_vcpus: u32,
    /// NUM_VCPUS (R8 bits 31:0).
    pub num_vcpus: u32,
    /// VCPU_INDEX (R9 bits 31:0).
    pub vcpu_index: u32,
    /// Reserved.
    pub rsvd: [u32; 5],
}

/// TDG.VP.VEINFO.GET's answer.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TdVeInfo {
    /// The exit reason (RCX bits 31:0).
    pub exit_reason: u32,
    /// Reserved.
    pub rsvd: u32,
    /// The exit qualification (RDX).
    pub exit_qualification: u64,
    /// The guest linear address (R8).
    pub guest_la: u64,
    /// The guest physical address (R9).
    pub guest_pa: u64,
    /// The instruction length (R10 bits 31:0).
    pub exit_instruction_length: u32,
    /// The instruction information (R10 bits 63:32).
    pub exit_instruction_info: u32,
    /// Reserved.
    pub rsvd1: u64,
}

/// CPUID as the host answers `TDG.VP.VMCALL<Instruction.CPUID>`.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CpuIdInfo {
    /// EAX.
    pub eax: u32,
    /// EBX.
    pub ebx: u32,
    /// ECX.
    pub ecx: u32,
    /// EDX.
    pub edx: u32,
}

/// A target TD's UUID, four 64-bit words.
pub type TargetTdUuid = [u64; 4];

/// What TDG.SERVTD.RD/WR return: the field's content and the target TD's UUID.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServtdRWResult {
    /// R8.
    pub content: u64,
    /// R10–R13.
    pub uuid: TargetTdUuid,
}

fn call(rax: u64, rcx: u64, rdx: u64, r8: u64, r9: u64) -> Result<TdcallArgs, TdCallError> {
    let mut args = TdcallArgs { rax, rcx, rdx, r8, r9, ..TdcallArgs::default() };
    match td_call(&mut args) {
        0 => Ok(args),
        status => Err(status.into()),
    }
}

/// Retries a TDCALL while the module answers OPERAND_BUSY, at most `tries` times.
fn call_retrying_busy(args: &TdcallArgs, tries: usize) -> Result<TdcallArgs, TdCallError> {
    let mut last = 0;
    for _ in 0..tries {
        let mut a = *args;
        last = td_call(&mut a);
        if last == 0 {
            return Ok(a);
        }
        match TdCallError::from(last) {
            TdCallError::TdxExitReasonOperandBusy(_) => continue,
            e => return Err(e),
        }
    }
    Err(last.into())
}

/// TDG.VP.INFO.
pub fn tdcall_get_td_info() -> Result<TdInfo, TdCallError> {
    let a = call(TDCALL_TDINFO, 0, 0, 0, 0)?;
    Ok(TdInfo {
        gpaw: a.rcx & 0x3F,
        attributes: a.rdx,
        max_vcpus: (a.r8 >> 32) as u32,
        num_vcpus: a.r8 as u32,
        vcpu_index: a.r9 as u32,
        rsvd: [0; 5],
    })
}

/// TDG.MR.RTMR.EXTEND of RTMR `mr_index` with `digest`, its address taken as the GPA. An identity-mapped TD
/// holds the digest at that GPA, so the 48 bytes are first written into the TD's memory there; a digest
/// whose address the TD does not map is refused before any TDCALL (`TdxExitInvalidParameters`). Then the
/// module's checks: a GPA that is not 64-byte aligned is OPERAND_INVALID(RCX), an index above 3
/// OPERAND_INVALID(RDX).
pub fn tdcall_extend_rtmr(digest: &TdxDigest, mr_index: u32) -> Result<(), TdCallError> {
    let gpa = digest.data.as_ptr() as u64;
    if !crate::backend::stage(gpa, &digest.data) {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    call(TDCALL_TDEXTENDRTMR, gpa, mr_index as u64, 0, 0).map(|_| ())
}

/// TDG.VP.VEINFO.GET: the last #VE's information (and VE_INFO becomes free again).
pub fn tdcall_get_ve_info() -> Result<TdVeInfo, TdCallError> {
    let a = call(TDCALL_TDGETVEINFO, 0, 0, 0, 0)?;
    Ok(TdVeInfo {
        exit_reason: a.rcx as u32,
        rsvd: 0,
        exit_qualification: a.rdx,
        guest_la: a.r8,
        guest_pa: a.r9,
        exit_instruction_length: a.r10 as u32,
        exit_instruction_info: (a.r10 >> 32) as u32,
        rsvd1: 0,
    })
}

/// TDG.MEM.PAGE.ACCEPT of `address` (bits 2:0 the level: 0 = 4K, 1 = 2M), retried while the SEPT entry is
/// busy (at most 5 tries).
pub fn tdcall_accept_page(address: u64) -> Result<(), TdCallError> {
    let args = TdcallArgs { rax: TDCALL_TDACCEPTPAGE, rcx: address, ..TdcallArgs::default() };
    call_retrying_busy(&args, 5).map(|_| ())
}

/// Accepts `pages` pages of `page_size` (4K or 2M) from `address`. A 2M page the host mapped with 4K pages
/// (PAGE_SIZE_MISMATCH) is accepted as 512 4K pages; pages already accepted are skipped. Panics on any other
/// failure.
pub fn td_accept_pages(address: u64, pages: u64, page_size: u64) {
    let level = if page_size == PAGE_SIZE_2M { 1 } else { 0 };
    for n in 0..pages {
        let gpa = address + n * page_size;
        match tdcall_accept_page(gpa | level) {
            Ok(()) => {}
            Err(TdCallError::LeafSpecific(TDCALL_STATUS_PAGE_ALREADY_ACCEPTED)) => {}
            Err(TdCallError::LeafSpecific(TDCALL_STATUS_PAGE_SIZE_MISMATCH)) if page_size == PAGE_SIZE_2M => {
                td_accept_pages(gpa, PAGE_SIZE_2M / PAGE_SIZE_4K, PAGE_SIZE_4K)
            }
            Err(e) => panic!("accepting 0x{:x} ({} bytes): {:?}", gpa, page_size, e),
        }
    }
}

/// Accepts `[address, address + len)`: 2M pages where the range is 2M-aligned and long enough, 4K pages
/// elsewhere. Panics on a range that is not 4K-aligned.
pub fn td_accept_memory(address: u64, len: u64) {
    let end = address + len;
    let mut at = address;
    while at < end {
        let left = end - at;
        if at % PAGE_SIZE_2M == 0 && left >= PAGE_SIZE_2M {
            let n = left / PAGE_SIZE_2M;
            td_accept_pages(at, n, PAGE_SIZE_2M);
            at += n * PAGE_SIZE_2M;
        } else if at % PAGE_SIZE_4K == 0 && left >= PAGE_SIZE_4K {
            // 4K pages up to the next 2M boundary when the range goes past it, else to the end.
            let to_boundary = (PAGE_SIZE_2M - at % PAGE_SIZE_2M) / PAGE_SIZE_4K;
            let n = if left >= PAGE_SIZE_2M { to_boundary } else { left / PAGE_SIZE_4K };
            td_accept_pages(at, n, PAGE_SIZE_4K);
            at += n * PAGE_SIZE_4K;
        } else {
            panic!("cannot accept 0x{:x} + 0x{:x}: not 4K-aligned", address, len);
        }
    }
}

/// The SHARED bit of a GPA (bit GPAW − 1) from TDG.VP.INFO, for GPAW 48 or 52.
pub fn td_shared_mask() -> Option<u64> {
    let gpaw = tdcall_get_td_info().ok()?.gpaw;
    if gpaw == 48 || gpaw == 52 {
        Some(1u64 << (gpaw - 1))
    } else {
        None
    }
}

/// TDG.SERVTD.RD of `field_identifier` of the TD bound at `binding_handle`.
pub fn tdcall_servtd_rd(
    binding_handle: u64,
    field_identifier: u64,
    target_td_uuid: &[u64],
) -> Result<ServtdRWResult, TdCallError> {
    servtd(TDCALL_SERVTD_RD, binding_handle, field_identifier, 0, 0, target_td_uuid)
}

/// TDG.SERVTD.WR of `data` (all bits) to `field_identifier` of the TD bound at `binding_handle`.
pub fn tdcall_servtd_wr(
    binding_handle: u64,
    field_identifier: u64,
    data: u64,
    target_td_uuid: &[u64],
) -> Result<ServtdRWResult, TdCallError> {
    servtd(TDCALL_SERVTD_WR, binding_handle, field_identifier, data, u64::MAX, target_td_uuid)
}

fn servtd(rax: u64, handle: u64, field: u64, r8: u64, r9: u64, uuid: &[u64]) -> Result<ServtdRWResult, TdCallError> {
    if uuid.len() != 4 {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    let mut args = TdcallArgs {
        rax,
        rcx: handle,
        rdx: field,
        r8,
        r9,
        r10: uuid[0],
        r11: uuid[1],
        r12: uuid[2],
        r13: uuid[3],
        ..TdcallArgs::default()
    };
    match td_call(&mut args) {
        0 => Ok(ServtdRWResult { content: args.r8, uuid: [args.r10, args.r11, args.r12, args.r13] }),
        status => Err(status.into()),
    }
}

/// TDG.SERVTD.REBIND.APPROVE: the bound service TD approves a new one for the target TD (the 32-byte session
/// token in RDX, R8, R9, R14; the UUID in R10–R13). Not a leaf of module 1.5.01: the model answers
/// OPERAND_INVALID(RAX).
pub fn tdcall_servtd_rebind_approve(
    old_binding_handle: u64,
    rebind_session_token: &[u8],
    target_td_uuid: &[u64],
) -> Result<TargetTdUuid, TdCallError> {
    if target_td_uuid.len() != 4 || rebind_session_token.len() != 32 {
        return Err(TdCallError::TdxExitInvalidParameters);
    }
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&rebind_session_token[8 * i..8 * i + 8]);
        u64::from_le_bytes(w)
    };
    let mut args = TdcallArgs {
        rax: TDCALL_SERVTD_REBIND_APPROVE,
        rcx: old_binding_handle,
        rdx: word(0),
        r8: word(1),
        r9: word(2),
        r10: target_td_uuid[0],
        r11: target_td_uuid[1],
        r12: target_td_uuid[2],
        r13: target_td_uuid[3],
        r14: word(3),
    };
    match td_call(&mut args) {
        0 => Ok([args.r10, args.r11, args.r12, args.r13]),
        status => Err(status.into()),
    }
}

/// TDG.SYS.RD: (next field id, value).
pub fn tdcall_sys_rd(field_identifier: u64) -> Result<(u64, u64), TdCallError> {
    call(TDCALL_SYS_RD, 0, field_identifier, 0, 0).map(|a| (a.rdx, a.r8))
}

/// TDG.VP.RD: (next field id, value).
pub fn tdcall_vp_read(field: u64) -> Result<(u64, u64), TdCallError> {
    call(TDCALL_VP_RD, 0, field, 0, 0).map(|a| (a.rdx, a.r8))
}

/// TDG.VP.WR of `value` under `mask`: the old value.
pub fn tdcall_vp_write(field: u64, value: u64, mask: u64) -> Result<u64, TdCallError> {
    call(TDCALL_VP_WR, 0, field, value, mask).map(|a| a.r8)
}

/// TDG.VP.INVVPID: RDX as the module leaves it (list mode: what is left).
pub fn tdcall_vp_invvpid(flags: u64, gla: u64) -> Result<u64, TdCallError> {
    call(TDCALL_VP_INVVPID, flags, gla, 0, 0).map(|a| a.rdx)
}

/// TDG.VP.INVEPT of the L2 VMs whose bits `vm_flags` sets.
pub fn tdcall_vp_invept(vm_flags: u64) -> Result<(), TdCallError> {
    call(TDCALL_VP_INVEPT, vm_flags, 0, 0, 0).map(|_| ())
}

/// TDG.VP.ENTER of the VM in `vm_flags` bits 53:52 with the guest-state buffer at `gpa`: all registers as
/// the module returns them (RAX = status | exit reason).
pub fn tdcall_vp_enter(vm_flags: u64, gpa: u64) -> TdcallArgs {
    let mut args = TdcallArgs { rax: TDCALL_VP_ENTER, rcx: vm_flags, rdx: gpa, ..TdcallArgs::default() };
    td_call(&mut args);
    args
}

/// TDG.VM.RD (leaf version `version`): (next field id, value).
pub fn tdcall_vm_read(field: u64, version: u8) -> Result<(u64, u64), TdCallError> {
    call(TDCALL_VM_RD | (version as u64) << 16, 0, field, 0, 0).map(|a| (a.rdx, a.r8))
}

/// TDG.VM.WR of `value` under `mask`: the old value.
pub fn tdcall_vm_write(field: u64, value: u64, mask: u64) -> Result<u64, TdCallError> {
    call(TDCALL_VM_WR, 0, field, value, mask).map(|a| a.r8)
}

/// TDG.MEM.PAGE.ATTR.WR, retried while busy (at most 5 tries): (RCX, RDX) as the module returns them.
pub fn tdcall_mem_page_attr_wr(gpa_mapping: u64, gpa_attr: u64, attr_flags: u64) -> Result<(u64, u64), TdCallError> {
    let args = TdcallArgs {
        rax: TDCALL_MEM_PAGE_ATTR_WR,
        rcx: gpa_mapping,
        rdx: gpa_attr,
        r8: attr_flags,
        ..TdcallArgs::default()
    };
    call_retrying_busy(&args, 5).map(|a| (a.rcx, a.rdx))
}

// ── TDG.VP.VMCALL (GHCI) ──────────────────────────────────────────────────────────────────────────────

fn vmcall(r11: u64, r12: u64, r13: u64, r14: u64, r15: u64) -> (u64, TdVmcallArgs) {
    let mut args = TdVmcallArgs { r10: 0, r11, r12, r13, r14, r15 };
    let status = td_vmcall(&mut args);
    (status, args)
}

/// `TDG.VP.VMCALL<ReportFatalError>`: `error_code`, with the GPA of a message in shared memory when given.
pub fn tdvmcall_report_fatal_error(error_code: u32, shared_gpa: Option<u64>) {
    let r12 = error_code as u64 | if shared_gpa.is_some() { 1 << 63 } else { 0 };
    let _ = vmcall(TDVMCALL_REPORTFATALERROR, r12, shared_gpa.unwrap_or(0), 0, 0);
}

/// `TDG.VP.VMCALL<Instruction.HLT>` (interrupts not blocked).
pub fn tdvmcall_halt() {
    let _ = vmcall(TDVMCALL_HALT, 0, 0, 0, 0);
}

/// STI; `TDG.VP.VMCALL<Instruction.HLT>`.
pub fn tdvmcall_sti_halt() {
    tdvmcall_halt();
}

const IO_READ: u64 = 0;
const IO_WRITE: u64 = 1;

fn io_read(size: u64, port: u16) -> u64 {
    let (status, a) = vmcall(TDVMCALL_IO, size, IO_READ, port as u64, 0);
    if status != 0 {
        tdvmcall_halt();
    }
    a.r11
}

fn io_write(size: u64, port: u16, value: u64) {
    let (status, _) = vmcall(TDVMCALL_IO, size, IO_WRITE, port as u64, value);
    if status != 0 {
        tdvmcall_halt();
    }
}

/// `TDG.VP.VMCALL<Instruction.IO>` IN of a byte.
pub fn tdvmcall_io_read_8(port: u16) -> u8 {
    io_read(1, port) as u8
}
/// `TDG.VP.VMCALL<Instruction.IO>` IN of a word.
pub fn tdvmcall_io_read_16(port: u16) -> u16 {
    io_read(2, port) as u16
}
/// `TDG.VP.VMCALL<Instruction.IO>` IN of a doubleword.
pub fn tdvmcall_io_read_32(port: u16) -> u32 {
    io_read(4, port) as u32
}
/// `TDG.VP.VMCALL<Instruction.IO>` OUT of a byte.
pub fn tdvmcall_io_write_8(port: u16, byte: u8) {
    io_write(1, port, byte as u64)
}
/// `TDG.VP.VMCALL<Instruction.IO>` OUT of a word.
pub fn tdvmcall_io_write_16(port: u16, byte: u16) {
    io_write(2, port, byte as u64)
}
/// `TDG.VP.VMCALL<Instruction.IO>` OUT of a doubleword.
pub fn tdvmcall_io_write_32(port: u16, byte: u32) {
    io_write(4, port, byte as u64)
}

fn shared_mask() -> u64 {
    td_shared_mask().expect("the TD's GPAW gives no SHARED bit")
}

/// `TDG.VP.VMCALL<#VE.RequestMMIO>` write of `value` (1, 2, 4 or 8 bytes) at the shared alias of `address` (a GPA).
pub fn tdvmcall_mmio_write<T: Sized + Copy>(address: *const T, value: T) {
    let size = std::mem::size_of::<T>();
    assert!(matches!(size, 1 | 2 | 4 | 8), "MMIO of {} bytes", size);
    let mut raw = [0u8; 8];
    // The value's bytes, little-endian, in the low bytes of R15.
    unsafe { std::ptr::copy_nonoverlapping(&value as *const T as *const u8, raw.as_mut_ptr(), size) };
    let (status, _) =
        vmcall(TDVMCALL_MMIO, size as u64, IO_WRITE, address as u64 | shared_mask(), u64::from_le_bytes(raw));
    if status != 0 {
        tdvmcall_halt();
    }
}

/// `TDG.VP.VMCALL<#VE.RequestMMIO>` read (1, 2, 4 or 8 bytes) at the shared alias of `address` (a GPA).
pub fn tdvmcall_mmio_read<T: Clone + Copy + Sized>(address: usize) -> T {
    let size = std::mem::size_of::<T>();
    assert!(matches!(size, 1 | 2 | 4 | 8), "MMIO of {} bytes", size);
    let (status, a) = vmcall(TDVMCALL_MMIO, size as u64, IO_READ, address as u64 | shared_mask(), 0);
    if status != 0 {
        tdvmcall_halt();
    }
    let raw = a.r11.to_le_bytes();
    unsafe { std::ptr::read_unaligned(raw.as_ptr() as *const T) }
}

/// `TDG.VP.VMCALL<MapGPA>`: converts `[paddr, paddr + length)` to shared (`shared`) or private, resuming where the host
/// answers RETRY (at most 3 retries at one GPA).
pub fn tdvmcall_mapgpa(shared: bool, paddr: u64, length: usize) -> Result<(), TdVmcallError> {
    let bit = shared_mask();
    let mut start = if shared { paddr | bit } else { paddr & !bit };
    let end = start.checked_add(length as u64).ok_or(TdVmcallError::Other)?;
    let mut retries_here = 0;
    while retries_here < 3 {
        let (status, a) = vmcall(TDVMCALL_MAPGPA, start, end - start, 0, 0);
        if status == 0 {
            return Ok(());
        }
        if status != TDVMCALL_STATUS_RETRY {
            return Err(status.into());
        }
        let resume = a.r11;
        if resume < start || resume >= end {
            return Err(TdVmcallError::Other);
        }
        if resume == start {
            retries_here += 1;
        } else {
            start = resume;
            retries_here = 0;
        }
    }
    Err(TdVmcallError::Other)
}

/// `TDG.VP.VMCALL<Instruction.RDMSR>`.
pub fn tdvmcall_rdmsr(index: u32) -> Result<u64, TdVmcallError> {
    match vmcall(TDVMCALL_RDMSR, index as u64, 0, 0, 0) {
        (0, a) => Ok(a.r11),
        (status, _) => Err(status.into()),
    }
}

/// `TDG.VP.VMCALL<Instruction.WRMSR>`.
pub fn tdvmcall_wrmsr(index: u32, value: u64) -> Result<(), TdVmcallError> {
    match vmcall(TDVMCALL_WRMSR, index as u64, value, 0, 0) {
        (0, _) => Ok(()),
        (status, _) => Err(status.into()),
    }
}

/// `TDG.VP.VMCALL<Instruction.CPUID>` of leaf `eax`, subleaf `ecx`.
pub fn tdvmcall_cpuid(eax: u32, ecx: u32) -> CpuIdInfo {
    let (status, a) = vmcall(TDVMCALL_CPUID, eax as u64, ecx as u64, 0, 0);
    if status != 0 {
        tdvmcall_halt();
    }
    CpuIdInfo { eax: a.r12 as u32, ebx: a.r13 as u32, ecx: a.r14 as u32, edx: a.r15 as u32 }
}

/// `TDG.VP.VMCALL<SetupEventNotifyInterrupt>` with `vector`.
pub fn tdvmcall_setup_event_notify(vector: u64) -> Result<(), TdVmcallError> {
    match vmcall(TDVMCALL_SETUPEVENTNOTIFY, vector, 0, 0, 0) {
        (0, _) => Ok(()),
        (status, _) => Err(status.into()),
    }
}

/// `TDG.VP.VMCALL<GetQuote>` with `buffer` (its address taken as a GPA, at its shared alias).
pub fn tdvmcall_get_quote(buffer: &mut [u8]) -> Result<(), TdVmcallError> {
    let gpa = buffer.as_mut_ptr() as u64 | shared_mask();
    match vmcall(TDVMCALL_GETQUOTE, gpa, buffer.len() as u64, 0, 0) {
        (0, _) => Ok(()),
        (status, _) => Err(status.into()),
    }
}

/// The GHCI's rules for a buffer and a notification vector: 4K-aligned, and a vector of 0 (none) or ≥ 32.
fn check_buffer_and_vector(gpa: u64, interrupt: u64) -> Result<(), TdVmcallError> {
    if gpa & 0xFFF != 0 {
        return Err(TdVmcallError::VmcallAlignError);
    }
    if (1..32).contains(&interrupt) {
        return Err(TdVmcallError::VmcallOperandInvalid);
    }
    Ok(())
}

/// `TDG.VP.VMCALL<Service>`: a command and a response buffer (4K-aligned, their addresses taken as GPAs, at
/// their shared aliases), the notification vector and the wait time.
pub fn tdvmcall_service(
    command: &[u8],
    response: &mut [u8],
    interrupt: u64,
    wait_time: u64,
) -> Result<(), TdVmcallError> {
    let command = command.as_ptr() as u64 | shared_mask();
    let response = response.as_mut_ptr() as u64 | shared_mask();
    check_buffer_and_vector(command, interrupt)?;
    check_buffer_and_vector(response, 0)?;
    match vmcall(TDVMCALL_SERVICE, command, response, interrupt, wait_time) {
        (0, _) => Ok(()),
        (status, _) => Err(status.into()),
    }
}

/// R12 of a `TDG.VP.VMCALL<MigTD>`: the function in bits 15:0, API version 1 in bits 23:16.
fn migtd_leaf(function: u16) -> u64 {
    function as u64 | 1 << 16
}

fn migtd_ex(mut args: TdVmcallArgsEx) -> Result<(), TdVmcallError> {
    args.r11 = TDVMCALL_MIGTD;
    match td_vmcall_ex2(&mut args, false) {
        0 => Ok(()),
        status => Err(status.into()),
    }
}

/// `TDG.VP.VMCALL<MigTD>` WaitForRequest into `data_buffer` (4K-aligned shared buffer).
pub fn tdvmcall_migtd_waitforrequest(data_buffer: &mut [u8], interrupt: u8) -> Result<(), TdVmcallError> {
    let len = data_buffer.len() as u64;
    let gpa = data_buffer.as_mut_ptr() as u64 | shared_mask();
    check_buffer_and_vector(gpa, interrupt as u64)?;
    match vmcall(TDVMCALL_MIGTD, migtd_leaf(TDVMCALL_MIGTD_WAITFORREQUEST), len, gpa, interrupt as u64) {
        (0, _) => Ok(()),
        (status, _) => Err(status.into()),
    }
}

/// `TDG.VP.VMCALL<MigTD>` ReportStatus of request `mig_request_id`. Byte 1 of `pre_migration_status` must not
/// be 0x0D…0xFE (reserved).
pub fn tdvmcall_migtd_reportstatus(
    mig_request_id: u64,
    pre_migration_status: u64,
    data_buffer: &mut [u8],
    interrupt: u8,
) -> Result<(), TdVmcallError> {
    if (0x0D..0xFF).contains(&pre_migration_status.to_le_bytes()[1]) {
        return Err(TdVmcallError::VmcallOperandInvalid);
    }
    let len = data_buffer.len() as u64;
    let gpa = data_buffer.as_mut_ptr() as u64 | shared_mask();
    check_buffer_and_vector(gpa, interrupt as u64)?;
    migtd_ex(TdVmcallArgsEx {
        r12: migtd_leaf(TDVMCALL_MIGTD_REPORTSTATUS),
        r13: mig_request_id,
        r14: pre_migration_status,
        r15: len,
        rbx: gpa,
        rdi: interrupt as u64,
        ..TdVmcallArgsEx::default()
    })
}

fn migtd_transfer(
    function: u16,
    mig_request_id: u64,
    data_buffer: &mut [u8],
    interrupt: u8,
) -> Result<(), TdVmcallError> {
    let len = data_buffer.len() as u64;
    let gpa = data_buffer.as_mut_ptr() as u64 | shared_mask();
    check_buffer_and_vector(gpa, interrupt as u64)?;
    migtd_ex(TdVmcallArgsEx {
        r12: migtd_leaf(function),
        r13: mig_request_id,
        r14: len,
        r15: gpa,
        rbx: interrupt as u64,
        ..TdVmcallArgsEx::default()
    })
}

/// `TDG.VP.VMCALL<MigTD>` Send of `data_buffer` for request `mig_request_id`.
pub fn tdvmcall_migtd_send(mig_request_id: u64, data_buffer: &mut [u8], interrupt: u8) -> Result<(), TdVmcallError> {
    migtd_transfer(TDVMCALL_MIGTD_SEND, mig_request_id, data_buffer, interrupt)
}

/// `TDG.VP.VMCALL<MigTD>` Receive into `data_buffer` for request `mig_request_id`.
pub fn tdvmcall_migtd_receive(mig_request_id: u64, data_buffer: &mut [u8], interrupt: u8) -> Result<(), TdVmcallError> {
    migtd_transfer(TDVMCALL_MIGTD_RECEIVE, mig_request_id, data_buffer, interrupt)
}
