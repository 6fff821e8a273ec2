//! The TDCALL-trait shape OpenHCL routes its TDCALLs through: the leaf and RCX…R15 in; RAX, RCX, RDX, R8,
//! R10 and R11 out. [`Tdcall`] is that trait; [`SoftSeamTdcall`] implements it over a [`Machine`] vCPU, so
//! code generic over such a trait runs against the model. Code written against OpenHCL's own trait
//! implements it in a few lines by forwarding to [`SoftSeamTdcall::call`] (the crate's README shows it).

use crate::{Completion, Error, Machine, Regs};

/// A TDCALL's inputs: the leaf (RAX) and RCX…R15.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TdcallInput {
    /// RAX: the leaf (and version in bits 23:16).
    pub leaf: u64,
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
    /// R15.
    pub r15: u64,
}

/// A TDCALL's outputs: RAX (the completion status) and RCX, RDX, R8, R10, R11.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TdcallOutput {
    /// RAX: the completion status.
    pub rax: u64,
    /// RCX.
    pub rcx: u64,
    /// RDX.
    pub rdx: u64,
    /// R8.
    pub r8: u64,
    /// R10.
    pub r10: u64,
    /// R11.
    pub r11: u64,
}

/// Something that performs TDCALLs.
pub trait Tdcall {
    /// Performs one TDCALL.
    fn tdcall(&mut self, input: TdcallInput) -> TdcallOutput;
}

/// A [`Tdcall`] over one vCPU of a [`Machine`]. It borrows the machine mutably, so the test around the code
/// under test can look at the machine afterwards.
pub struct SoftSeamTdcall<'m> {
    machine: &'m mut Machine,
    vcpu: u32,
}

impl<'m> SoftSeamTdcall<'m> {
    /// TDCALLs of `vcpu` of `machine`.
    pub fn new(machine: &'m mut Machine, vcpu: u32) -> SoftSeamTdcall<'m> {
        SoftSeamTdcall { machine, vcpu }
    }

    /// The machine behind it.
    pub fn machine(&mut self) -> &mut Machine {
        self.machine
    }

    /// One TDCALL. An interrupted TDCALL ([`Completion::Interrupted`]) is executed again until it completes,
    /// as the CPU does once L1 took the interrupt; a TDCALL that TD-exits without the host resuming L1 is an
    /// error of kind [`crate::ErrorKind::State`] (L1 does not run on), as are the library's misuse errors.
    pub fn call(&mut self, input: TdcallInput) -> Result<TdcallOutput, Error> {
        let mut regs = Regs {
            rax: input.leaf,
            rcx: input.rcx,
            rdx: input.rdx,
            r8: input.r8,
            r9: input.r9,
            r10: input.r10,
            r11: input.r11,
            r12: input.r12,
            r13: input.r13,
            r14: input.r14,
            r15: input.r15,
            ..Regs::default()
        };
        loop {
            match self.machine.tdcall(self.vcpu, &mut regs)? {
                Completion::Done => break,
                Completion::Interrupted => continue,
                Completion::TdExit => {
                    return Err(Error {
                        code: crate::sys::SOFTSEAM_ESTATE,
                        message: format!(
                            "TDCALL leaf {} TD-exited (RAX 0x{:016X}) and the host did not resume L1",
                            input.leaf, regs.rax
                        ),
                    })
                }
            }
        }
        Ok(TdcallOutput { rax: regs.rax, rcx: regs.rcx, rdx: regs.rdx, r8: regs.r8, r10: regs.r10, r11: regs.r11 })
    }
}

impl<'m> Tdcall for SoftSeamTdcall<'m> {
    /// One TDCALL; panics where [`SoftSeamTdcall::call`] returns an error (a TDCALL that cannot complete is
    /// no value the trait can return — on hardware, L1 would not run on either).
    fn tdcall(&mut self, input: TdcallInput) -> TdcallOutput {
        match self.call(input) {
            Ok(output) => output,
            Err(e) => panic!("SoftSEAM TDCALL: {}", e),
        }
    }
}
