//! SoftSEAM from Rust: the Intel TDX module 1.5.01 with TD partitioning, in software (libsoftseam).
//!
//! An L1 paravisor written in Rust calls [`Machine::tdcall`] where it would execute TDCALL; the host side
//! calls [`Machine::seamcall`]. One [`Machine`] is one TD with its vCPUs, L2 VMs and memory.
//!
//! ```no_run
//! use softseam::{tdx, Config, Machine, Regs};
//!
//! let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x10_0000, 0x1000))?;
//! let mut regs = Regs { rax: tdx::leaf::TDG_VP_INFO, ..Regs::default() };
//! td.tdcall(0, &mut regs)?;
//! assert_eq!(regs.rcx, 48); // GPAW
//! # Ok::<(), softseam::Error>(())
//! ```
//!
//! Layers: [`sys`] is `softseam.h` one to one; the safe API ([`Machine`], [`Config`], [`Error`]) owns the
//! handle (dropping the machine destroys it), keeps callbacks alive as long as the machine, and turns the
//! library's negative results into [`Error`]s with the library's code and message. [`adapter`] offers the
//! TDCALL-trait shape OpenHCL uses (leaf + RCX…R15 in, RAX/RCX/RDX/R8/R10/R11 out).
//!
//! The machine is `Send` but not `Sync`: the C ABI lets one thread at a time use a handle.

#![warn(missing_docs)]

pub mod adapter;
mod config;
pub mod sys;
pub mod tdx;

pub use config::{Config, MemoryState, PageSize};

use std::any::Any;
use std::cell::Cell;
use std::ffi::CString;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_char, c_int, c_void};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

/// An event delivered to a guest (`softseam_delivery_t`).
#[doc(inline)]
pub use sys::softseam_delivery_t as Delivery;
/// The L2_ENTER_GUEST_STATE buffer TDG.VP.ENTER takes (`struct softseam_l2_enter_guest_state`).
#[doc(inline)]
pub use sys::softseam_l2_enter_guest_state as L2EnterGuestState;
/// L2's state when it is about to run, given to an L2 event source (`softseam_l2_state_t`).
#[doc(inline)]
pub use sys::softseam_l2_state_t as L2State;
/// The general-purpose registers in architectural order (RAX … R15): a TDCALL's or SEAMCALL's inputs and
/// outputs (`softseam_regs_t`).
#[doc(inline)]
pub use sys::softseam_regs_t as Regs;
/// A TD exit as the host sees it (`softseam_td_exit_t`).
#[doc(inline)]
pub use sys::softseam_td_exit_t as TdExit;

/// The C ABI version of the loaded library (the SONAME's number; this crate binds version 1).
pub fn abi_version() -> u32 {
    unsafe { sys::softseam_abi_version() }
}

// ── Errors ───────────────────────────────────────────────────────────────────────────────────────────

/// What kind of misuse the library reported (its negative result codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `SOFTSEAM_EINVAL`: a bad argument value.
    Invalid,
    /// `SOFTSEAM_ENOVCPU`: a vCPU index the TD does not have.
    NoVcpu,
    /// `SOFTSEAM_ESTATE`: not possible where the machine is.
    State,
    /// `SOFTSEAM_EBUSY`: the machine is in use on another thread, or re-entered from a callback.
    Busy,
    /// `SOFTSEAM_EMEMORY`: a GPA range L1 cannot access.
    Memory,
    /// `SOFTSEAM_EL2`: the L2 source failed.
    L2,
    /// `SOFTSEAM_EFILE`: a file could not be read or written, or is malformed.
    File,
    /// `SOFTSEAM_ECONFIG`: malformed config JSON or an unknown key.
    Config,
    /// `SOFTSEAM_ELIMIT`: an event or trace limit was reached; the call was undone.
    Limit,
    /// `SOFTSEAM_ESTOPPED`: the TDX module would stop here (UD2).
    Stopped,
    /// A result code this crate does not know.
    Other,
}

/// A negative result of libsoftseam: its code and message (`softseam_last_error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: i32,
    message: String,
}

impl Error {
    /// The library's result code (`SOFTSEAM_E…`, negative).
    pub fn code(&self) -> i32 {
        self.code
    }
    /// The library's message.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The kind of error [`Error::code`] says.
    pub fn kind(&self) -> ErrorKind {
        match self.code {
            sys::SOFTSEAM_EINVAL => ErrorKind::Invalid,
            sys::SOFTSEAM_ENOVCPU => ErrorKind::NoVcpu,
            sys::SOFTSEAM_ESTATE => ErrorKind::State,
            sys::SOFTSEAM_EBUSY => ErrorKind::Busy,
            sys::SOFTSEAM_EMEMORY => ErrorKind::Memory,
            sys::SOFTSEAM_EL2 => ErrorKind::L2,
            sys::SOFTSEAM_EFILE => ErrorKind::File,
            sys::SOFTSEAM_ECONFIG => ErrorKind::Config,
            sys::SOFTSEAM_ELIMIT => ErrorKind::Limit,
            sys::SOFTSEAM_ESTOPPED => ErrorKind::Stopped,
            _ => ErrorKind::Other,
        }
    }
    /// The calling thread's last library message, with `code`.
    fn last(code: i32) -> Error {
        let mut buf = [0u8; 512];
        let full = unsafe { sys::softseam_last_error_copy(buf.as_mut_ptr() as *mut c_char, buf.len()) };
        let message = if full < buf.len() {
            String::from_utf8_lossy(&buf[..full]).into_owned()
        } else {
            let mut big = vec![0u8; full + 1];
            let n = unsafe { sys::softseam_last_error_copy(big.as_mut_ptr() as *mut c_char, big.len()) };
            String::from_utf8_lossy(&big[..n.min(full)]).into_owned()
        };
        Error { code, message }
    }
    /// An error this crate finds before calling the library (e.g. a NUL byte in a string).
    fn invalid(message: String) -> Error {
        Error { code: sys::SOFTSEAM_EINVAL, message }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "libsoftseam error {} ({:?}): {}", self.code, self.kind(), self.message)
    }
}

impl std::error::Error for Error {}

fn c_string(what: &str, s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::invalid(format!("{} contains a NUL byte", what)))
}

// ── Results ──────────────────────────────────────────────────────────────────────────────────────────

/// How a TDCALL (or a SEAMCALL) that the library carried out ended. The architectural status is in RAX.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Completion {
    /// `SOFTSEAM_OK`: the instruction completed; the outputs are in the registers.
    Done,
    /// `SOFTSEAM_TD_EXIT`: the vCPU TD-exited and the host did not resume L1; the registers hold the TD-exit
    /// registers the host saw. The vCPU waits for the host.
    TdExit,
    /// `SOFTSEAM_INTERRUPTED`: an interruptible TDCALL stopped for an interrupt pending for L1; call it again
    /// with the same registers once L1 has taken the interrupt.
    Interrupted,
}

/// The outcome of an L1 memory access or RDMSR/WRMSR/CPUID that the library carried out.
#[must_use]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access<T> {
    /// It completed, with this value.
    Done(T),
    /// #GP(0) was injected into L1 (RDMSR/WRMSR/CPUID, fault 13).
    GeneralProtection,
    /// L1 took a #VE instead (fault 20); the vCPU's VE_INFO holds it.
    VirtualizationException,
    /// VE_INFO still held an unread #VE: a #DF instead (fault 8).
    DoubleFault,
}

impl<T> Access<T> {
    /// The value when the access completed.
    pub fn done(self) -> Option<T> {
        match self {
            Access::Done(v) => Some(v),
            _ => None,
        }
    }
}

/// Where a vCPU is (`softseam_vcpu_location`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// Running L1.
    L1,
    /// Running that L2 VM (1…3).
    L2(u32),
    /// A TD exit is pending and the host has not re-entered the vCPU.
    WaitsForHost,
}

/// The trace file format (`SOFTSEAM_TRACE_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceFormat {
    /// JSON Lines.
    Json,
    /// The compact binary form.
    Binary,
}

/// An interrupt the host pushes into the TD-partitioning SVSM's shared-IRTE ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Irq {
    /// An MSI: vector, destination id, mode.
    Msi {
        /// The vector.
        vector: u32,
        /// The destination id.
        dest_id: u32,
        /// The mode bytes.
        mode: u32,
    },
    /// An IOAPIC pin: pin, level, source id.
    IoApic {
        /// The pin.
        pin: u32,
        /// The level.
        level: u32,
        /// The source id.
        source_id: u32,
    },
}

fn check(rc: c_int) -> Result<c_int, Error> {
    if rc < 0 {
        Err(Error::last(rc))
    } else {
        Ok(rc)
    }
}

fn completion(rc: c_int) -> Result<Completion, Error> {
    match rc {
        sys::SOFTSEAM_OK => Ok(Completion::Done),
        sys::SOFTSEAM_TD_EXIT => Ok(Completion::TdExit),
        sys::SOFTSEAM_INTERRUPTED => Ok(Completion::Interrupted),
        rc if rc < 0 => Err(Error::last(rc)),
        rc => Err(Error { code: rc, message: format!("unexpected result {} of softseam_tdcall", rc) }),
    }
}

fn access<T>(rc: c_int, fault: u32, value: T) -> Result<Access<T>, Error> {
    match (rc, fault) {
        (sys::SOFTSEAM_OK, 13) => Ok(Access::GeneralProtection),
        (sys::SOFTSEAM_OK, _) => Ok(Access::Done(value)),
        (sys::SOFTSEAM_VE, _) => Ok(Access::VirtualizationException),
        (sys::SOFTSEAM_DF, _) => Ok(Access::DoubleFault),
        (rc, _) if rc < 0 => Err(Error::last(rc)),
        (rc, _) => Err(Error { code: rc, message: format!("unexpected result {}", rc) }),
    }
}

// ── The calls a machine and its callbacks share ──────────────────────────────────────────────────────

macro_rules! machine_calls {
    () => {
        /// One L1 TDCALL on `vcpu`: RAX = leaf (and version), inputs in the other registers; on return the
        /// registers as L1 sees them after the instruction (`softseam_tdcall`). No allocation.
        #[inline]
        pub fn tdcall(&mut self, vcpu: u32, regs: &mut Regs) -> Result<Completion, Error> {
            let rc = unsafe { sys::softseam_tdcall(self.raw(), vcpu, regs) };
            self.after_callbacks();
            if rc == sys::SOFTSEAM_OK {
                return Ok(Completion::Done);
            }
            completion(rc)
        }

        /// One host SEAMCALL: RAX = leaf, outputs in `regs` (`softseam_seamcall`).
        pub fn seamcall(&mut self, regs: &mut Regs) -> Result<(), Error> {
            let rc = unsafe { sys::softseam_seamcall(self.raw(), regs) };
            self.after_callbacks();
            check(rc).map(|_| ())
        }

        /// L1 reads `buf.len()` bytes at `gpa` (`softseam_mem_read`).
        pub fn mem_read(&mut self, gpa: u64, buf: &mut [u8]) -> Result<Access<()>, Error> {
            let rc = unsafe { sys::softseam_mem_read(self.raw(), gpa, buf.as_mut_ptr() as *mut c_void, buf.len()) };
            access(rc, 0, ())
        }

        /// L1 stores `buf` at `gpa` (`softseam_mem_write`).
        pub fn mem_write(&mut self, gpa: u64, buf: &[u8]) -> Result<Access<()>, Error> {
            let rc = unsafe { sys::softseam_mem_write(self.raw(), gpa, buf.as_ptr() as *const c_void, buf.len()) };
            access(rc, 0, ())
        }

        /// The host maps zeroed host memory at the shared GPAs `[gpa, gpa + len)` (`softseam_host_map_shared`).
        pub fn host_map_shared(&mut self, gpa: u64, len: u64) -> Result<(), Error> {
            check(unsafe { sys::softseam_host_map_shared(self.raw(), gpa, len) }).map(|_| ())
        }

        /// The host unmaps the shared GPAs `[gpa, gpa + len)` (`softseam_host_unmap_shared`).
        pub fn host_unmap_shared(&mut self, gpa: u64, len: u64) -> Result<(), Error> {
            check(unsafe { sys::softseam_host_unmap_shared(self.raw(), gpa, len) }).map(|_| ())
        }

        /// The host writes its shared memory (`softseam_host_write_shared`).
        pub fn host_write_shared(&mut self, gpa: u64, buf: &[u8]) -> Result<(), Error> {
            let rc =
                unsafe { sys::softseam_host_write_shared(self.raw(), gpa, buf.as_ptr() as *const c_void, buf.len()) };
            check(rc).map(|_| ())
        }

        /// The host reads its shared memory (`softseam_host_read_shared`).
        pub fn host_read_shared(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Error> {
            let rc =
                unsafe { sys::softseam_host_read_shared(self.raw(), gpa, buf.as_mut_ptr() as *mut c_void, buf.len()) };
            check(rc).map(|_| ())
        }

        /// XXH3-64 of the whole model state (`softseam_state_hash`).
        pub fn state_hash(&self) -> u64 {
            unsafe { sys::softseam_state_hash(self.raw()) }
        }

        /// L1 on `vcpu` executes RDMSR (`softseam_rdmsr`).
        pub fn rdmsr(&mut self, vcpu: u32, msr: u32) -> Result<Access<u64>, Error> {
            let (mut value, mut fault) = (0u64, 0u32);
            let rc = unsafe { sys::softseam_rdmsr(self.raw(), vcpu, msr, &mut value, &mut fault) };
            access(rc, fault, value)
        }

        /// L1 on `vcpu` executes WRMSR (`softseam_wrmsr`).
        pub fn wrmsr(&mut self, vcpu: u32, msr: u32, value: u64) -> Result<Access<()>, Error> {
            let mut fault = 0u32;
            let rc = unsafe { sys::softseam_wrmsr(self.raw(), vcpu, msr, value, &mut fault) };
            access(rc, fault, ())
        }

        /// L1 on `vcpu` executes CPUID: `[eax, ebx, ecx, edx]` (`softseam_cpuid`).
        pub fn cpuid(&mut self, vcpu: u32, leaf: u32, subleaf: u32) -> Result<Access<[u32; 4]>, Error> {
            let (mut out, mut fault) = ([0u32; 4], 0u32);
            let rc = unsafe { sys::softseam_cpuid(self.raw(), vcpu, leaf, subleaf, out.as_mut_ptr(), &mut fault) };
            access(rc, fault, out)
        }

        /// The number of vCPUs.
        pub fn vcpu_count(&self) -> u32 {
            unsafe { sys::softseam_vcpu_count(self.raw()) }
        }

        /// The number of L2 VMs.
        pub fn num_l2_vms(&self) -> u32 {
            unsafe { sys::softseam_num_l2_vms(self.raw()) }
        }

        /// The TDVPR address the host names `vcpu` with in TDH.VP.ENTER's RCX.
        pub fn tdvpr(&self, vcpu: u32) -> Result<u64, Error> {
            match unsafe { sys::softseam_tdvpr(self.raw(), vcpu) } {
                0 => Err(Error::last(sys::SOFTSEAM_ENOVCPU)),
                pa => Ok(pa),
            }
        }

        /// Where `vcpu` is.
        pub fn vcpu_location(&self, vcpu: u32) -> Result<Location, Error> {
            match check(unsafe { sys::softseam_vcpu_location(self.raw(), vcpu) })? {
                0 => Ok(Location::L1),
                sys::SOFTSEAM_WAITS_FOR_HOST => Ok(Location::WaitsForHost),
                vm => Ok(Location::L2(vm as u32)),
            }
        }

        /// The TD's virtual TSC.
        pub fn tsc(&self) -> u64 {
            unsafe { sys::softseam_tsc(self.raw()) }
        }

        /// TDH.VP.ENTER of `vcpu` with RESUME_L1; the TDH.VP.ENTER status (`softseam_resume_l1`).
        pub fn resume_l1(&mut self, vcpu: u32) -> Result<u64, Error> {
            let mut status = 0u64;
            let rc = unsafe { sys::softseam_resume_l1(self.raw(), vcpu, &mut status) };
            self.after_callbacks();
            check(rc).map(|_| status)
        }

        /// The host posts interrupt `vector` to L1 of `vcpu` (`softseam_post_interrupt`).
        pub fn post_interrupt(&mut self, vcpu: u32, vector: u8) -> Result<(), Error> {
            check(unsafe { sys::softseam_post_interrupt(self.raw(), vcpu, vector) }).map(|_| ())
        }

        /// The host's TDH.VP.WR of PEND_NMI; its status (`softseam_pend_nmi`).
        pub fn pend_nmi(&mut self, vcpu: u32) -> Result<u64, Error> {
            let mut status = 0u64;
            check(unsafe { sys::softseam_pend_nmi(self.raw(), vcpu, &mut status) }).map(|_| status)
        }

        /// L1 of `vcpu` becomes interruptible: the vector delivered, if any (`softseam_l1_interruptible`).
        pub fn l1_interruptible(&mut self, vcpu: u32) -> Result<Option<u8>, Error> {
            let mut vector = -1i32;
            check(unsafe { sys::softseam_l1_interruptible(self.raw(), vcpu, &mut vector) })?;
            Ok(if vector < 0 { None } else { Some(vector as u8) })
        }

        /// Sets L1's RVI and PPR (`softseam_set_l1_interrupt_state`).
        pub fn set_l1_interrupt_state(&mut self, vcpu: u32, rvi: u8, ppr: u8) -> Result<(), Error> {
            check(unsafe { sys::softseam_set_l1_interrupt_state(self.raw(), vcpu, rvi, ppr) }).map(|_| ())
        }

        /// The host pushes `irq` into the shared-IRTE ring at `ring_gpa` and signals L1 of `vcpu`
        /// (`softseam_host_irte_push`): `Ok(None)` pushed, `Ok(Some(code))` refused (`SOFTSEAM_IRTE_*`).
        pub fn host_irte_push(&mut self, vcpu: u32, ring_gpa: u64, irq: Irq) -> Result<Option<i32>, Error> {
            let (kind, a, b, c) = match irq {
                Irq::Msi { vector, dest_id, mode } => (sys::SOFTSEAM_IRQ_MSI, vector, dest_id, mode),
                Irq::IoApic { pin, level, source_id } => (sys::SOFTSEAM_IRQ_IOAPIC, pin, level, source_id),
            };
            let mut refused = 0i32;
            check(unsafe { sys::softseam_host_irte_push(self.raw(), vcpu, ring_gpa, kind, a, b, c, &mut refused) })?;
            Ok(if refused == 0 { None } else { Some(refused) })
        }

        /// The shared-IRTE ring GPA L1 registered for VM `vm` (`softseam_irte_ring`).
        pub fn irte_ring(&mut self, vm: u32) -> Result<u64, Error> {
            let mut gpa = 0u64;
            check(unsafe { sys::softseam_irte_ring(self.raw(), vm, &mut gpa) }).map(|_| gpa)
        }
    };
}

// ── Callbacks ────────────────────────────────────────────────────────────────────────────────────────

/// What an L2 event source answers (see [`Machine::set_l2_callback`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum L2Reply {
    /// The events written to the [`L2Events`] buffer run next.
    Events,
    /// L2 has nothing more to do: the TDCALL that ran it fails with [`ErrorKind::L2`].
    Finished,
    /// Fail the TDCALL that ran L2 (the whole TDG.VP.ENTER is undone).
    Fail,
}

/// The buffer an L2 event source writes its events into: one event or a JSON array of events in the
/// scenario syntax of Traces/FORMAT.md. Implements [`std::fmt::Write`]; writes nothing to the heap.
pub struct L2Events<'a> {
    buf: &'a mut [u8],
    len: usize,
    overflow: bool,
}

impl<'a> L2Events<'a> {
    /// Appends `s`. Events that do not fit make the reply a failure: the TDCALL that ran L2 fails with
    /// [`ErrorKind::L2`] and is undone, as for any failing source.
    pub fn push_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        // One byte stays for the terminating NUL.
        if self.len + bytes.len() >= self.buf.len() {
            self.overflow = true;
            return;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    /// The room for events, in bytes (without the terminating NUL).
    pub fn capacity(&self) -> usize {
        self.buf.len().saturating_sub(1)
    }
}

impl<'a> fmt::Write for L2Events<'a> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        if self.overflow {
            Err(fmt::Error)
        } else {
            Ok(())
        }
    }
}

type L2Fn = dyn FnMut(&mut MachineRef<'_>, &L2State, &mut L2Events<'_>) -> L2Reply + Send;
type HostFn = dyn FnMut(&mut MachineRef<'_>, &TdExit) + Send;
type Panic = Box<dyn Any + Send + 'static>;

struct L2Slot {
    f: Box<L2Fn>,
    m: *mut sys::softseam_t,
    panic: *const Cell<Option<Panic>>,
}

struct HostSlot {
    f: Box<HostFn>,
    panic: *const Cell<Option<Panic>>,
}

unsafe extern "C" fn l2_trampoline(
    ctx: *mut c_void,
    state: *const sys::softseam_l2_state_t,
    events: *mut c_char,
    events_len: usize,
) -> c_int {
    let slot = &mut *(ctx as *mut L2Slot);
    let panic = &*slot.panic;
    let held = panic.take();
    if held.is_some() {
        // A callback already panicked in this call: fail the rest until it is rethrown.
        panic.set(held);
        return -1;
    }
    if events.is_null() || events_len == 0 || state.is_null() {
        return -1;
    }
    let mut out =
        L2Events { buf: std::slice::from_raw_parts_mut(events as *mut u8, events_len), len: 0, overflow: false };
    let mut machine = MachineRef { raw: slot.m, _life: PhantomData };
    let state = &*state;
    let f = &mut slot.f;
    match catch_unwind(AssertUnwindSafe(|| f(&mut machine, state, &mut out))) {
        Ok(L2Reply::Events) if !out.overflow => {
            out.buf[out.len] = 0;
            0
        }
        Ok(L2Reply::Events) => -1,
        Ok(L2Reply::Finished) => 1,
        Ok(L2Reply::Fail) => -1,
        Err(payload) => {
            panic.set(Some(payload));
            -1
        }
    }
}

unsafe extern "C" fn host_trampoline(ctx: *mut c_void, m: *mut sys::softseam_t, exit: *const sys::softseam_td_exit_t) {
    let slot = &mut *(ctx as *mut HostSlot);
    let panic = &*slot.panic;
    let held = panic.take();
    if held.is_some() {
        panic.set(held);
        return;
    }
    if exit.is_null() {
        return;
    }
    let mut machine = MachineRef { raw: m, _life: PhantomData };
    let exit = &*exit;
    let f = &mut slot.f;
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| f(&mut machine, exit))) {
        panic.set(Some(payload));
    }
}

/// The machine as a callback sees it (an L2 event source or the host). The library allows only some calls
/// from inside a callback — from the host callback: [`MachineRef::seamcall`] (TDH.VP.ENTER),
/// [`MachineRef::resume_l1`], interrupt posting, IRTE pushes, shared-memory mapping, [`MachineRef::mem_read`],
/// [`MachineRef::state_hash`] and the facts; from an L2 source: `mem_read`, `state_hash` and the facts. Every
/// other call returns an [`Error`] of kind [`ErrorKind::Busy`] and changes nothing.
pub struct MachineRef<'a> {
    raw: *mut sys::softseam_t,
    _life: PhantomData<&'a mut ()>,
}

impl<'a> MachineRef<'a> {
    fn raw(&self) -> *mut sys::softseam_t {
        self.raw
    }
    // Panics inside nested callbacks are rethrown by the outermost Machine call.
    #[inline]
    fn after_callbacks(&self) {}
    machine_calls!();
}

// ── The machine ──────────────────────────────────────────────────────────────────────────────────────

/// One TD with its vCPUs, L2 VMs and memory (`softseam_t`). Dropping it destroys it (a trace still being
/// recorded is finished first). `Send`, not `Sync`: one thread at a time, as the C ABI requires.
///
/// ```compile_fail
/// fn need_sync<T: Sync>() {}
/// need_sync::<softseam::Machine>(); // a machine is not shared between threads
/// ```
pub struct Machine {
    raw: NonNull<sys::softseam_t>,
    l2: [*mut L2Slot; 4],
    host: *mut HostSlot,
    // A callback's panic, kept until the library call that ran it returns (from Box::into_raw, freed by Drop;
    // the slots point at it).
    panic: *mut Cell<Option<Panic>>,
    _not_sync: PhantomData<Cell<()>>,
}

// The handle may move between threads (the library checks that one thread at a time uses it); every callback
// it holds is `Send`.
unsafe impl Send for Machine {}

impl fmt::Debug for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Machine")
            .field("vcpus", &self.vcpu_count())
            .field("num_l2_vms", &self.num_l2_vms())
            .field("state_hash", &format_args!("0x{:016X}", self.state_hash()))
            .finish()
    }
}

/// A run of a built-in L2 program's image: its GPA and bytes ([`builtin_image`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRun {
    /// Where L1 loads it.
    pub gpa: u64,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The bytes the built-in L2 program `name` (e.g. `"l2-boot"`) expects L1 to load, run by run
/// (`softseam_builtin_image`).
pub fn builtin_image(name: &str) -> Result<Vec<ImageRun>, Error> {
    let cname = c_string("the program name", name)?;
    let mut runs = Vec::new();
    for index in 0u32.. {
        let mut gpa = 0u64;
        let len = unsafe { sys::softseam_builtin_image(cname.as_ptr(), index, &mut gpa, std::ptr::null_mut(), 0) };
        if len < 0 {
            return Err(Error::last(len as c_int));
        }
        if len == 0 {
            break;
        }
        let mut bytes = vec![0u8; len as usize];
        let n = unsafe {
            sys::softseam_builtin_image(cname.as_ptr(), index, &mut gpa, bytes.as_mut_ptr() as *mut c_void, bytes.len())
        };
        if n < 0 {
            return Err(Error::last(n as c_int));
        }
        runs.push(ImageRun { gpa, bytes });
    }
    Ok(runs)
}

impl Machine {
    /// Builds a TD from a config in JSON (README "Config": num_l2_vms, vcpus, gpaw, memory, …). The built-in
    /// host has added the memory and (unless `"finalize": false`) finalized the TD. A malformed config or an
    /// unknown key is an [`Error`] of kind [`ErrorKind::Config`] whose message names the line and key.
    pub fn new(config_json: &str) -> Result<Machine, Error> {
        let config = c_string("the config", config_json)?;
        let mut message = [0u8; 1024];
        let raw = unsafe { sys::softseam_create(config.as_ptr(), message.as_mut_ptr() as *mut c_char, message.len()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(Machine {
                raw,
                l2: [std::ptr::null_mut(); 4],
                host: std::ptr::null_mut(),
                panic: Box::into_raw(Box::new(Cell::new(None))),
                _not_sync: PhantomData,
            }),
            None => {
                let end = message.iter().position(|&b| b == 0).unwrap_or(message.len());
                Err(Error {
                    code: sys::SOFTSEAM_ECONFIG,
                    message: String::from_utf8_lossy(&message[..end]).into_owned(),
                })
            }
        }
    }

    /// Builds a TD from a [`Config`].
    pub fn from_config(config: &Config) -> Result<Machine, Error> {
        Machine::new(&config.to_json())
    }

    /// The raw handle, for calls into [`sys`]. It stays owned by the machine.
    pub fn as_raw(&self) -> *mut sys::softseam_t {
        self.raw.as_ptr()
    }

    fn raw(&self) -> *mut sys::softseam_t {
        self.raw.as_ptr()
    }

    /// Rethrows a panic of one of this machine's callbacks, once the library call that ran it has returned.
    #[inline]
    fn after_callbacks(&self) {
        // A look without taking: one load on the path without callbacks.
        let cell = unsafe { &*self.panic };
        if unsafe { (*cell.as_ptr()).is_some() } {
            if let Some(payload) = cell.take() {
                resume_unwind(payload);
            }
        }
    }

    machine_calls!();

    /// VM `vm` (1…3) takes its events from `source`, called whenever L2 of that VM is to run and has no
    /// events left (`softseam_set_l2_callback`). It writes one event or a JSON array of events into the
    /// [`L2Events`] buffer and answers [`L2Reply::Events`], or [`L2Reply::Finished`] when L2 has nothing more
    /// to do. A panic in it fails the TDCALL and is rethrown when the TDCALL returns.
    pub fn set_l2_callback<F>(&mut self, vm: u32, source: F) -> Result<(), Error>
    where
        F: FnMut(&mut MachineRef<'_>, &L2State, &mut L2Events<'_>) -> L2Reply + Send + 'static,
    {
        let index = self.vm_index(vm)?;
        let slot = Box::into_raw(Box::new(L2Slot { f: Box::new(source), m: self.raw(), panic: self.panic }));
        let rc = unsafe { sys::softseam_set_l2_callback(self.raw(), vm, Some(l2_trampoline), slot as *mut c_void) };
        if rc < 0 {
            drop(unsafe { Box::from_raw(slot) });
            return Err(Error::last(rc));
        }
        self.replace_l2(index, slot);
        Ok(())
    }

    /// VM `vm` runs the built-in L2 program `name` (e.g. `"l2-boot"`, the guest `softseam demo` boots).
    pub fn set_l2_program(&mut self, vm: u32, name: &str) -> Result<(), Error> {
        let index = self.vm_index(vm)?;
        let name = c_string("the program name", name)?;
        check(unsafe { sys::softseam_set_l2_program(self.raw(), vm, name.as_ptr()) })?;
        self.replace_l2(index, std::ptr::null_mut());
        Ok(())
    }

    /// VM `vm` takes its events from a scenario or trace file (`softseam_set_l2_events_file`).
    pub fn set_l2_events_file<P: AsRef<std::path::Path>>(&mut self, vm: u32, path: P) -> Result<(), Error> {
        let index = self.vm_index(vm)?;
        let path = c_string("the path", &path.as_ref().to_string_lossy())?;
        check(unsafe { sys::softseam_set_l2_events_file(self.raw(), vm, path.as_ptr()) })?;
        self.replace_l2(index, std::ptr::null_mut());
        Ok(())
    }

    /// VM `vm` has no L2 source (a TDG.VP.ENTER of it fails with [`ErrorKind::L2`]).
    pub fn clear_l2_source(&mut self, vm: u32) -> Result<(), Error> {
        let index = self.vm_index(vm)?;
        check(unsafe { sys::softseam_set_l2_callback(self.raw(), vm, None, std::ptr::null_mut()) })?;
        self.replace_l2(index, std::ptr::null_mut());
        Ok(())
    }

    /// The most L2 events one TDCALL runs without L2 exiting to L1 (`softseam_set_l2_event_limit`).
    pub fn set_l2_event_limit(&mut self, limit: u64) -> Result<(), Error> {
        check(unsafe { sys::softseam_set_l2_event_limit(self.raw(), limit) }).map(|_| ())
    }

    /// TD exits go to `host` instead of the built-in host (`softseam_set_host_callback`). It re-enters the
    /// vCPU with [`MachineRef::seamcall`] (TDH.VP.ENTER) or [`MachineRef::resume_l1`]; if it returns without,
    /// the TDCALL that caused the exit returns [`Completion::TdExit`]. A panic in it is rethrown when the
    /// call that ran it returns.
    pub fn set_host_callback<F>(&mut self, host: F) -> Result<(), Error>
    where
        F: FnMut(&mut MachineRef<'_>, &TdExit) + Send + 'static,
    {
        let slot = Box::into_raw(Box::new(HostSlot { f: Box::new(host), panic: self.panic }));
        let rc = unsafe { sys::softseam_set_host_callback(self.raw(), Some(host_trampoline), slot as *mut c_void) };
        if rc < 0 {
            drop(unsafe { Box::from_raw(slot) });
            return Err(Error::last(rc));
        }
        let old = std::mem::replace(&mut self.host, slot);
        if !old.is_null() {
            drop(unsafe { Box::from_raw(old) });
        }
        Ok(())
    }

    /// Restores the built-in deterministic host.
    pub fn clear_host_callback(&mut self) -> Result<(), Error> {
        check(unsafe { sys::softseam_set_host_callback(self.raw(), None, std::ptr::null_mut()) })?;
        let old = std::mem::replace(&mut self.host, std::ptr::null_mut());
        if !old.is_null() {
            drop(unsafe { Box::from_raw(old) });
        }
        Ok(())
    }

    /// Starts recording every step as a trace `softseam replay` checks (`softseam_trace_start`); must come
    /// before the first call that changes the machine.
    pub fn trace_start<P: AsRef<std::path::Path>>(
        &mut self,
        path: P,
        format: TraceFormat,
        comment: Option<&str>,
    ) -> Result<(), Error> {
        let path = c_string("the path", &path.as_ref().to_string_lossy())?;
        let comment = match comment {
            Some(c) => Some(c_string("the comment", c)?),
            None => None,
        };
        let format = match format {
            TraceFormat::Json => sys::SOFTSEAM_TRACE_JSON,
            TraceFormat::Binary => sys::SOFTSEAM_TRACE_BINARY,
        };
        let comment_ptr = comment.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        check(unsafe { sys::softseam_trace_start(self.raw(), path.as_ptr(), format, comment_ptr) }).map(|_| ())
    }

    /// Writes the trace atomically and stops recording: the number of steps written.
    pub fn trace_stop(&mut self) -> Result<u64, Error> {
        let n = unsafe { sys::softseam_trace_stop(self.raw()) };
        if n < 0 {
            Err(Error::last(n as c_int))
        } else {
            Ok(n as u64)
        }
    }

    /// The most steps a trace holds (`softseam_set_trace_limit`).
    pub fn set_trace_limit(&mut self, steps: u64) -> Result<(), Error> {
        check(unsafe { sys::softseam_set_trace_limit(self.raw(), steps) }).map(|_| ())
    }

    fn vm_index(&self, vm: u32) -> Result<usize, Error> {
        if (1..=3).contains(&vm) {
            Ok(vm as usize)
        } else {
            Err(Error::invalid(format!("L2 VM {} is not 1…3", vm)))
        }
    }

    fn replace_l2(&mut self, index: usize, slot: *mut L2Slot) {
        let old = std::mem::replace(&mut self.l2[index], slot);
        if !old.is_null() {
            drop(unsafe { Box::from_raw(old) });
        }
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        unsafe { sys::softseam_destroy(self.raw()) };
        for slot in self.l2.iter_mut() {
            if !slot.is_null() {
                drop(unsafe { Box::from_raw(*slot) });
                *slot = std::ptr::null_mut();
            }
        }
        if !self.host.is_null() {
            drop(unsafe { Box::from_raw(self.host) });
        }
        drop(unsafe { Box::from_raw(self.panic) });
    }
}
