//! The raw C ABI of libsoftseam: `softseam.h` (and the structure and constants of `softseam_defs.h` that the
//! safe API uses), one to one, with the C names. Everything here is `unsafe` to call; the crate's safe API
//! is built on it. The layout test (`tests/layout.rs`) compiles a C probe against the installed header and
//! checks every structure's size and field offsets and every constant declared here.
//! The documentation of each function, structure and constant is softseam.h's, next to its C declaration.
#![allow(non_camel_case_types, missing_docs)]

use std::os::raw::{c_char, c_int, c_void};

/// `softseam_t`: one TD with its vCPUs, L2 VMs and memory (opaque).
#[repr(C)]
pub struct softseam_t {
    _opaque: [u8; 0],
}

/// `softseam_regs_t`: the general-purpose registers in architectural order (RAX … R15).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct softseam_regs_t {
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rbx: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
}

/// `softseam_td_exit_t`: a TD exit as the host sees it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct softseam_td_exit_t {
    pub vcpu: u32,
    /// 0: L1's own exit (a TDG.VP.VMCALL or a fault-like exit of a TDCALL); 1…3: that L2 VM.
    pub vm: u32,
    /// RAX bits 31:0.
    pub exit_reason: u32,
    pub reserved: u32,
    pub regs: softseam_regs_t,
}

/// `softseam_delivery_t`: an event delivered to a guest (interrupt, NMI or exception).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct softseam_delivery_t {
    /// 0 = L1, 1…3 = that L2 VM.
    pub vm: u32,
    pub vector: u8,
    /// The VMX interruption type (SDM Vol. 3C §25.8.3).
    pub type_: u8,
    /// How it got there: `SOFTSEAM_VIA_*`.
    pub via: u8,
    pub has_error_code: u8,
    pub error_code: u32,
    /// How many times that same event has now been delivered.
    pub count: u32,
}

/// `softseam_l2_state_t`: L2's state when L2 is about to run, given to an L2 event source.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct softseam_l2_state_t {
    pub vcpu: u32,
    pub vm: u32,
    /// L2's GPRs; `rsp` is the VMCS guest RSP.
    pub gprs: softseam_regs_t,
    pub rip: u64,
    pub rflags: u64,
    pub cr0: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub efer: u64,
    pub cs_selector: u64,
    pub cs_base: u64,
    pub cs_limit: u64,
    pub cs_access_rights: u64,
    /// 1 when the CPU is delivering `delivery` to this L2 now.
    pub delivering: u32,
    pub reserved: u32,
    pub delivery: softseam_delivery_t,
}

/// `struct tdx_module_args`: the Linux kernel's TDCALL argument block (its field order).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct tdx_module_args {
    pub rcx: u64,
    pub rdx: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rbx: u64,
    pub rdi: u64,
    pub rsi: u64,
}

/// `struct softseam_l2_enter_guest_state` (softseam_defs.h): the L2_ENTER_GUEST_STATE buffer TDG.VP.ENTER
/// takes in RDX. Its architectural size is [`SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE`] (0x9A) bytes; `size_of`
/// adds tail padding.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct softseam_l2_enter_guest_state {
    pub rax: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rbx: u64,
    pub rsp: u64,
    pub rbp: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
    pub rflags: u64,
    pub rip: u64,
    pub ssp: u64,
    pub interrupt_status: u16,
}

/// `softseam_l2_fn`: an L2 event source.
pub type softseam_l2_fn = Option<
    unsafe extern "C" fn(
        ctx: *mut c_void,
        state: *const softseam_l2_state_t,
        events: *mut c_char,
        events_len: usize,
    ) -> c_int,
>;
/// `softseam_host_fn`: a host that handles TD exits.
pub type softseam_host_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, m: *mut softseam_t, exit: *const softseam_td_exit_t)>;

pub const SOFTSEAM_ABI_VERSION: u32 = 1;
pub const SOFTSEAM_OK: c_int = 0;
pub const SOFTSEAM_TD_EXIT: c_int = 1;
pub const SOFTSEAM_VE: c_int = 2;
pub const SOFTSEAM_DF: c_int = 3;
pub const SOFTSEAM_INTERRUPTED: c_int = 4;
pub const SOFTSEAM_EINVAL: c_int = -1;
pub const SOFTSEAM_ENOVCPU: c_int = -2;
pub const SOFTSEAM_ESTATE: c_int = -3;
pub const SOFTSEAM_EBUSY: c_int = -4;
pub const SOFTSEAM_EMEMORY: c_int = -5;
pub const SOFTSEAM_EL2: c_int = -6;
pub const SOFTSEAM_EFILE: c_int = -7;
pub const SOFTSEAM_ECONFIG: c_int = -8;
pub const SOFTSEAM_ELIMIT: c_int = -9;
pub const SOFTSEAM_ESTOPPED: c_int = -10;
pub const SOFTSEAM_WAITS_FOR_HOST: c_int = 4;
pub const SOFTSEAM_VIA_VIRTUAL_INTERRUPT: u8 = 0;
pub const SOFTSEAM_VIA_ENTRY_INJECTION: u8 = 1;
pub const SOFTSEAM_VIA_REINJECTION: u8 = 2;
pub const SOFTSEAM_VIA_PENDING_NMI: u8 = 3;
pub const SOFTSEAM_VIA_UNKNOWN: u8 = 0xFF;
pub const SOFTSEAM_IRQ_IOAPIC: u32 = 1;
pub const SOFTSEAM_IRQ_MSI: u32 = 2;
pub const SOFTSEAM_IRTE_BAD_GPA: i32 = 1;
pub const SOFTSEAM_IRTE_NOT_SHARED: i32 = 2;
pub const SOFTSEAM_IRTE_BAD_HEADER: i32 = 3;
pub const SOFTSEAM_IRTE_BAD_INDEX: i32 = 4;
pub const SOFTSEAM_IRTE_BAD_VECTOR: i32 = 5;
pub const SOFTSEAM_IRTE_FULL: i32 = 6;
pub const SOFTSEAM_TRACE_JSON: c_int = 0;
pub const SOFTSEAM_TRACE_BINARY: c_int = 1;
pub const SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE: usize = 0x9A;

extern "C" {
    pub fn softseam_abi_version() -> u32;
    pub fn softseam_create(config_json: *const c_char, error: *mut c_char, error_len: usize) -> *mut softseam_t;
    pub fn softseam_destroy(m: *mut softseam_t);
    pub fn softseam_tdcall(m: *mut softseam_t, vcpu: u32, regs: *mut softseam_regs_t) -> c_int;
    pub fn softseam_seamcall(m: *mut softseam_t, regs: *mut softseam_regs_t) -> c_int;
    pub fn softseam_mem_read(m: *mut softseam_t, gpa: u64, buf: *mut c_void, len: usize) -> c_int;
    pub fn softseam_mem_write(m: *mut softseam_t, gpa: u64, buf: *const c_void, len: usize) -> c_int;
    pub fn softseam_host_map_shared(m: *mut softseam_t, gpa: u64, len: u64) -> c_int;
    pub fn softseam_host_unmap_shared(m: *mut softseam_t, gpa: u64, len: u64) -> c_int;
    pub fn softseam_host_write_shared(m: *mut softseam_t, gpa: u64, buf: *const c_void, len: usize) -> c_int;
    pub fn softseam_host_read_shared(m: *const softseam_t, gpa: u64, buf: *mut c_void, len: usize) -> c_int;
    pub fn softseam_state_hash(m: *const softseam_t) -> u64;
    pub fn softseam_rdmsr(m: *mut softseam_t, vcpu: u32, msr: u32, value: *mut u64, fault: *mut u32) -> c_int;
    pub fn softseam_wrmsr(m: *mut softseam_t, vcpu: u32, msr: u32, value: u64, fault: *mut u32) -> c_int;
    pub fn softseam_cpuid(
        m: *mut softseam_t,
        vcpu: u32,
        leaf: u32,
        subleaf: u32,
        out: *mut u32,
        fault: *mut u32,
    ) -> c_int;
    pub fn softseam_bind_current(m: *mut softseam_t, vcpu: u32);
    pub fn __tdcall(func: u64, args: *mut tdx_module_args) -> u64;
    pub fn __tdcall_ret(func: u64, args: *mut tdx_module_args) -> u64;
    pub fn __tdcall_saved_ret(func: u64, args: *mut tdx_module_args) -> u64;
    pub fn softseam_last_error(m: *const softseam_t) -> *const c_char;
    pub fn softseam_last_error_copy(buf: *mut c_char, len: usize) -> usize;
    pub fn softseam_vcpu_count(m: *const softseam_t) -> u32;
    pub fn softseam_num_l2_vms(m: *const softseam_t) -> u32;
    pub fn softseam_tdvpr(m: *const softseam_t, vcpu: u32) -> u64;
    pub fn softseam_vcpu_location(m: *const softseam_t, vcpu: u32) -> c_int;
    pub fn softseam_tsc(m: *const softseam_t) -> u64;
    pub fn softseam_set_l2_callback(m: *mut softseam_t, vm: u32, f: softseam_l2_fn, ctx: *mut c_void) -> c_int;
    pub fn softseam_set_l2_event_limit(m: *mut softseam_t, limit: u64) -> c_int;
    pub fn softseam_set_l2_events_file(m: *mut softseam_t, vm: u32, path: *const c_char) -> c_int;
    pub fn softseam_set_l2_program(m: *mut softseam_t, vm: u32, name: *const c_char) -> c_int;
    pub fn softseam_builtin_image(
        name: *const c_char,
        index: u32,
        gpa: *mut u64,
        buf: *mut c_void,
        buf_len: usize,
    ) -> i64;
    pub fn softseam_set_host_callback(m: *mut softseam_t, f: softseam_host_fn, ctx: *mut c_void) -> c_int;
    pub fn softseam_resume_l1(m: *mut softseam_t, vcpu: u32, status: *mut u64) -> c_int;
    pub fn softseam_post_interrupt(m: *mut softseam_t, vcpu: u32, vector: u8) -> c_int;
    pub fn softseam_host_irte_push(
        m: *mut softseam_t,
        vcpu: u32,
        ring_gpa: u64,
        irq_type: u32,
        a: u32,
        b: u32,
        c: u32,
        refused: *mut i32,
    ) -> c_int;
    pub fn softseam_irte_ring(m: *mut softseam_t, vm: u32, gpa: *mut u64) -> c_int;
    pub fn softseam_pend_nmi(m: *mut softseam_t, vcpu: u32, status: *mut u64) -> c_int;
    pub fn softseam_l1_interruptible(m: *mut softseam_t, vcpu: u32, vector: *mut i32) -> c_int;
    pub fn softseam_set_l1_interrupt_state(m: *mut softseam_t, vcpu: u32, rvi: u8, ppr: u8) -> c_int;
    pub fn softseam_trace_start(
        m: *mut softseam_t,
        path: *const c_char,
        format: c_int,
        comment: *const c_char,
    ) -> c_int;
    pub fn softseam_trace_stop(m: *mut softseam_t) -> i64;
    pub fn softseam_set_trace_limit(m: *mut softseam_t, steps: u64) -> c_int;
}
