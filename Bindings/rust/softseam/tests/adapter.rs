//! The TDCALL-trait adapter: code written generically over a TDCALL trait of OpenHCL's shape (leaf + RCX…R15
//! in, RAX/RCX/RDX/R8/R10/R11 out) runs against the model; and code written against a trait of its own
//! (here a stand-in with OpenHCL's names, as a user's crate would have) plugs in with a few lines.

use softseam::adapter::{SoftSeamTdcall, Tdcall, TdcallInput, TdcallOutput};
use softseam::{tdx, Access, Config, Machine};

/// Code under test, written against the trait only: the GPA width from TDG.VP.INFO.
fn gpa_width(call: &mut impl Tdcall) -> u64 {
    let out = call.tdcall(TdcallInput { leaf: tdx::leaf::TDG_VP_INFO, ..TdcallInput::default() });
    assert_eq!(out.rax, 0);
    out.rcx & 0x3F
}

/// Code under test: an MSR read through TDG.VP.VMCALL<Instruction.RDMSR> (GHCI: R10 = 0, R11 = 31, R12 = the
/// MSR; RCX selects R10–R12), the value in R11, the sub-function status in R10.
fn vmcall_rdmsr(call: &mut impl Tdcall, msr: u32) -> Result<u64, u64> {
    let out = call.tdcall(TdcallInput {
        leaf: tdx::leaf::TDG_VP_VMCALL,
        rcx: 0x1C00,
        r11: 31,
        r12: msr as u64,
        ..TdcallInput::default()
    });
    assert_eq!(out.rax, 0, "TDG.VP.VMCALL itself completes");
    if out.r10 == 0 {
        Ok(out.r11)
    } else {
        Err(out.r10)
    }
}

/// Code under test: accept one 4K page, treating "already accepted" as done.
fn accept(call: &mut impl Tdcall, gpa: u64) -> u64 {
    let out = call.tdcall(TdcallInput { leaf: tdx::leaf::TDG_MEM_PAGE_ACCEPT, rcx: gpa, ..TdcallInput::default() });
    out.rax
}

#[test]
fn generic_code_runs_against_the_model() {
    let mut td =
        Machine::from_config(&Config::new().gpaw(52).mapped(0x100000, 0x1000).pending(0x104000, 0x2000)).unwrap();
    let mut call = SoftSeamTdcall::new(&mut td, 0);
    assert_eq!(gpa_width(&mut call), 52);
    // The built-in host answers RDMSR with 0 (README: the deterministic host's fixed values).
    assert_eq!(vmcall_rdmsr(&mut call, 0x1B), Ok(0));
    assert_eq!(accept(&mut call, 0x104000), 0);
    assert_eq!(accept(&mut call, 0x104000), tdx::status::TDX_PAGE_ALREADY_ACCEPTED);
    // The machine is there for the test to look at afterwards: the accepted page reads, the other is pending.
    let mut b = [0u8; 1];
    assert_eq!(call.machine().mem_read(0x104000, &mut b).unwrap(), Access::Done(()));
    assert_eq!(td.mem_read(0x105000, &mut b).unwrap(), Access::VirtualizationException);
}

#[test]
fn errors_of_the_library_are_errors_of_call_and_panics_of_the_trait() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    let mut call = SoftSeamTdcall::new(&mut td, 5);
    let err = call.call(TdcallInput { leaf: tdx::leaf::TDG_VP_INFO, ..TdcallInput::default() }).unwrap_err();
    assert_eq!(err.kind(), softseam::ErrorKind::NoVcpu);
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        gpa_width(&mut call);
    }));
    assert!(panicked.is_err());
}

/// A stand-in for a user's own TDCALL trait with OpenHCL's names and types (its leaf a newtype, its RAX a
/// result type): the impl below is all a user writes — the crate's README shows the same.
mod users_crate {
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct TdCallLeaf(pub u64);
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct TdCallResult(pub u64);
    pub struct TdcallInput {
        pub leaf: TdCallLeaf,
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
    }
    pub struct TdcallOutput {
        pub rax: TdCallResult,
        pub rcx: u64,
        pub rdx: u64,
        pub r8: u64,
        pub r10: u64,
        pub r11: u64,
    }
    pub trait Tdcall {
        fn tdcall(&mut self, input: TdcallInput) -> TdcallOutput;
    }
}

struct OnSoftSeam<'m>(SoftSeamTdcall<'m>);

impl<'m> users_crate::Tdcall for OnSoftSeam<'m> {
    fn tdcall(&mut self, i: users_crate::TdcallInput) -> users_crate::TdcallOutput {
        let o: TdcallOutput = self.0.tdcall(TdcallInput {
            leaf: i.leaf.0,
            rcx: i.rcx,
            rdx: i.rdx,
            r8: i.r8,
            r9: i.r9,
            r10: i.r10,
            r11: i.r11,
            r12: i.r12,
            r13: i.r13,
            r14: i.r14,
            r15: i.r15,
        });
        users_crate::TdcallOutput {
            rax: users_crate::TdCallResult(o.rax),
            rcx: o.rcx,
            rdx: o.rdx,
            r8: o.r8,
            r10: o.r10,
            r11: o.r11,
        }
    }
}

#[test]
fn a_users_own_trait_plugs_in() {
    use users_crate::Tdcall as _;
    let mut td = Machine::from_config(&Config::new().vcpus(2).mapped(0x100000, 0x1000)).unwrap();
    let mut on = OnSoftSeam(SoftSeamTdcall::new(&mut td, 1));
    let out = on.tdcall(users_crate::TdcallInput {
        leaf: users_crate::TdCallLeaf(tdx::leaf::TDG_VP_INFO),
        rcx: 0,
        rdx: 0,
        r8: 0,
        r9: 0,
        r10: 0,
        r11: 0,
        r12: 0,
        r13: 0,
        r14: 0,
        r15: 0,
    });
    // VP.INFO on vCPU 1 of 2, GPAW 48 (the default): R8 = 2 | 2 << 32; R10 = 1; R11 = 0. R9 (VCPU_INDEX) is not
    // an output of the trait's shape.
    assert_eq!(out.rax, users_crate::TdCallResult(0));
    assert_eq!((out.rcx, out.rdx, out.r8, out.r10, out.r11), (48, 0, 2 | 2 << 32, 1, 0));
}
