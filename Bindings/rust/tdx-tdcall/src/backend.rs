//! Which SoftSEAM vCPU the TDCALLs of the calling thread go to. A test attaches a machine before it runs the
//! code under test and detaches it after to look at it; each thread has its own.

use softseam::{Completion, Machine};
use std::cell::RefCell;

thread_local! {
    static ATTACHED: RefCell<Option<(Machine, u32)>> = const { RefCell::new(None) };
}

/// TDCALLs of this thread go to vCPU `vcpu` of `machine` from now on; a machine attached before is dropped.
pub fn attach(machine: Machine, vcpu: u32) {
    ATTACHED.with(|a| *a.borrow_mut() = Some((machine, vcpu)));
}

/// Takes the attached machine back (None when there is none): TDCALLs of this thread then panic.
pub fn detach() -> Option<Machine> {
    ATTACHED.with(|a| a.borrow_mut().take().map(|(m, _)| m))
}

/// Runs `f` on the attached machine and its vCPU (e.g. to read memory or the state hash between calls).
/// Panics when none is attached, or from inside a TDCALL of this crate.
pub fn with_machine<R, F: FnOnce(&mut Machine, u32) -> R>(f: F) -> R {
    ATTACHED.with(|a| {
        let mut slot = a.try_borrow_mut().expect("tdx-tdcall: the machine is in use by a TDCALL of this thread");
        let (machine, vcpu) =
            slot.as_mut().expect("tdx-tdcall: no SoftSEAM machine attached to this thread (backend::attach)");
        f(machine, *vcpu)
    })
}

/// One TDCALL on the attached vCPU, run again while it is interrupted (as the CPU does once L1 has taken
/// the interrupt). Panics where L1 would not run on.
pub(crate) fn execute(regs: &mut softseam::Regs) {
    let leaf = regs.rax & 0xFFFF;
    with_machine(|machine, vcpu| loop {
        match machine.tdcall(vcpu, regs) {
            Ok(Completion::Done) => return,
            Ok(Completion::Interrupted) => continue,
            Ok(Completion::TdExit) => panic!(
                "tdx-tdcall: TDCALL leaf {} TD-exited (RAX 0x{:016X}) and the host did not resume L1",
                leaf, regs.rax
            ),
            Err(e) => panic!("tdx-tdcall: {}", e),
        }
    })
}

/// Writes `bytes` into the attached TD's memory at `gpa`, where an identity-mapped TD holds the buffer a
/// wrapper hands the module: false when the TD does not map every byte of it.
pub(crate) fn stage(gpa: u64, bytes: &[u8]) -> bool {
    with_machine(|m, _| m.mem_write(gpa, bytes).ok().and_then(softseam::Access::done).is_some())
}
