//! rust-l1 — a small L1 VMM for TD partitioning, in Rust, against SoftSEAM through the `softseam` crate.
//!
//! It does what Examples/l1-minimal (C) does and what a TD-partitioning paravisor does to start one L2 guest:
//! TDG.VP.INFO and TDG.VM.RD of NUM_L2_VMS; TDG.MEM.PAGE.ATTR.WR (retried until RDX reads back the request)
//! and ACCEPT to build the alias table; loads the L2 image; TDG.VP.WR of the virtual-APIC page, L2_CTLS, the
//! MSR bitmap, CR masks and real-mode state; then a TDG.VP.ENTER loop that handles each L2→L1 exit and
//! prints one line per exit, L2's mode at the end and the TD's state hash — the same lines, in the same
//! order, as the C and Swift L1s (`softseam demo --l1-view`).
//!
//! Usage: rust-l1 [--trace FILE] [--l2-events FILE]

use softseam::tdx::{exit_reason, field, gpa_attr, leaf, status, vmcs, vp_enter};
use softseam::{Access, Completion, Machine, Regs, TraceFormat};
use std::fmt;
use std::process::ExitCode;

/// What ends the run: a message for stderr.
struct Fail(String);

/// A command line the program does not take (exit status 2, as the `softseam` CLI).
const USAGE: &str = "usage: rust-l1 [--trace FILE] [--l2-events FILE]";

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<softseam::Error> for Fail {
    fn from(e: softseam::Error) -> Fail {
        Fail(e.to_string())
    }
}

type Result<T> = std::result::Result<T, Fail>;

fn fail<T>(message: String) -> Result<T> {
    Err(Fail(message))
}

// ── The TD ───────────────────────────────────────────────────────────────────────────────────────────

/// The TD `softseam demo` boots: 2 L2 VMs, low RAM for L2's page tables, the kernel pages, two pending heap
/// pages, L1's own guest-state buffer and virtual-APIC page, and the boot ROM page.
const CONFIG: &str = r#"{"num_l2_vms": 2, "vcpus": 1, "memory": [
    {"gpa": "0x9000", "size": "0x2000", "state": "mapped"},
    {"gpa": "0x100000", "size": "0x4000", "state": "mapped"},
    {"gpa": "0x104000", "size": "0x2000", "state": "pending"},
    {"gpa": "0x200000", "size": "0x2000", "state": "mapped"},
    {"gpa": "0xfffff000", "size": "0x1000", "state": "mapped"}]}"#;

const GUEST_STATE_BUFFER: u64 = 0x200000;
const VIRTUAL_APIC_PAGE: u64 = 0x201000;
const PENDING: std::ops::Range<u64> = 0x104000..0x106000;
const R: u16 = gpa_attr::R;
const W: u16 = gpa_attr::W;
const XS: u16 = gpa_attr::XS;
const XU: u16 = gpa_attr::XU;

/// Pages aliased before L2 runs: (GPA, VM1's attributes, VM2's attributes).
const UP_FRONT: [(u64, u16, u16); 5] = [
    (0x100000, R | XS, 0),
    (0x101000, R | W, R),
    (0x102000, 0, R | W | XS | XU),
    (0x103000, 0, R | W),
    (0x105000, 0, R | W),
];
/// Pages aliased into VM1 when L2 first touches them (an EPT violation): (GPA, attributes).
const LAZY: [(u64, u16); 4] = [(0xFFFF_F000, R | XS), (0x9000, R | W), (0xA000, R | W), (0x104000, R | W)];

/// Offsets in the L2_ENTER_GUEST_STATE buffer: GPR n at 8n, then RFLAGS, RIP, SSP, the interrupt status.
const RFLAGS_OFFSET: u64 = 0x80;
const RIP_OFFSET: u64 = 0x88;
const INTERRUPT_STATUS_OFFSET: u64 = 0x98;
const BUFFER_SIZE: usize = softseam::sys::SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE;

const CS: u64 = 1;
const CR0_PE: u64 = 1 << 0;
const CR0_PG: u64 = 1 << 31;
const CR0_OWNED: u64 = CR0_PG | CR0_PE; // the mode switches L1 emulates
const CR0_WRITABLE: u64 = 0x8005_001F; // the L1-writable guest CR0 bits (Specs/l2-vmcs-fields.tsv)
const CR4_L2_BITS: u64 = 0x6A0; // PAE, PGE, OSFXSR, OSXMMEXCPT
const EFER_LME: u64 = 1 << 8;
const EFER_LMA: u64 = 1 << 10;
const IA32E_MODE_GUEST: u64 = 1 << 9;
const EOI_WRITE_BIT: u64 = 0x4000 + 0x80B; // MSR bitmap: writes of the x2APIC EOI (SDM Vol. 3C 25.6.9)
const EFER_WRITE_BIT: u64 = 0x6080; // MSR bitmap: writes of IA32_EFER (write-high quarter)
const TIMER_VECTOR: u64 = 0xEC;
/// Segment access rights (SDM Vol. 3A §3.4.5): L (64-bit code) and D/B (32-bit default operand size).
const AR_L: u64 = 1 << 13;
const AR_DB: u64 = 1 << 14;
/// A segment descriptor's G bit (limit in 4K units).
const DESC_G: u64 = 1 << 55;
/// I/O exit qualification bit 3: IN (SDM Vol. 3C table 28-5).
const IO_IN: u64 = 1 << 3;

/// The L1: the TD it runs in and whether L2 halted.
struct L1 {
    td: Machine,
    halted: bool,
}

impl L1 {
    // ── The seam: TDCALL and L1's memory ─────────────────────────────────────────────────────────────

    fn tdcall(&mut self, mut regs: Regs) -> Result<Regs> {
        let leaf = regs.rax;
        match self.td.tdcall(0, &mut regs)? {
            Completion::Done => Ok(regs),
            other => fail(format!("TDCALL (leaf {}): {:?}", leaf, other)),
        }
    }

    fn call(&mut self, leaf: u64, rcx: u64, rdx: u64, r8: u64, r9: u64) -> Result<Regs> {
        self.tdcall(Regs { rax: leaf, rcx, rdx, r8, r9, ..Regs::default() })
    }

    fn read(&mut self, gpa: u64, buf: &mut [u8]) -> Result<()> {
        match self.td.mem_read(gpa, buf)? {
            Access::Done(()) => Ok(()),
            other => fail(format!("read of 0x{:x}: {:?}", gpa, other)),
        }
    }

    fn write(&mut self, gpa: u64, buf: &[u8]) -> Result<()> {
        match self.td.mem_write(gpa, buf)? {
            Access::Done(()) => Ok(()),
            other => fail(format!("write of 0x{:x}: {:?}", gpa, other)),
        }
    }

    fn word(&mut self, gpa: u64) -> Result<u64> {
        let mut b = [0u8; 8];
        self.read(gpa, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn set_word(&mut self, gpa: u64, value: u64) -> Result<()> {
        self.write(gpa, &value.to_le_bytes())
    }

    // ── Metadata ─────────────────────────────────────────────────────────────────────────────────────

    fn succeeded(what: &str, r: Regs) -> Result<Regs> {
        if r.rax == status::TDX_SUCCESS {
            Ok(r)
        } else {
            fail(format!("{}: TDX status 0x{:016X}", what, r.rax))
        }
    }

    fn vp_wr(&mut self, id: u64, value: u64, mask: u64) -> Result<()> {
        let r = self.call(leaf::TDG_VP_WR, 0, id, value, mask)?;
        L1::succeeded("TDG.VP.WR", r).map(|_| ())
    }

    fn vp_rd(&mut self, id: u64) -> Result<u64> {
        let r = self.call(leaf::TDG_VP_RD, 0, id, 0, 0)?;
        L1::succeeded("TDG.VP.RD", r).map(|r| r.r8)
    }

    /// VMCS field `f` of VM1, the whole element.
    fn write_vmcs(&mut self, f: u64, value: u64) -> Result<()> {
        let id = field::l2_vmcs(1, f);
        self.vp_wr(id, value, field::element_mask(id))
    }

    fn write_vmcs_masked(&mut self, f: u64, value: u64, mask: u64) -> Result<()> {
        self.vp_wr(field::l2_vmcs(1, f), value, mask)
    }

    fn read_vmcs(&mut self, f: u64) -> Result<u64> {
        self.vp_rd(field::l2_vmcs(1, f))
    }

    // ── Memory: the alias table ──────────────────────────────────────────────────────────────────────

    /// TDG.MEM.PAGE.ATTR.WR of `attrs` for VM `vm`, retried until RDX reads back the request.
    fn alias(&mut self, gpa: u64, vm: u32, attrs: u16) -> Result<()> {
        let request = gpa_attr::for_vm(vm, attrs | gpa_attr::VALID);
        let flags = gpa_attr::for_vm(vm, 0xF);
        for _ in 0..4 {
            let r = self.call(leaf::TDG_MEM_PAGE_ATTR_WR, gpa, request, flags, 0)?;
            if r.rax == status::TDX_SUCCESS && r.rdx == request {
                return Ok(());
            }
        }
        fail(format!("ATTR.WR of 0x{:x} for VM{} did not take", gpa, vm))
    }

    fn accept(&mut self, gpa: u64) -> Result<()> {
        let r = self.call(leaf::TDG_MEM_PAGE_ACCEPT, gpa, 0, 0, 0)?;
        L1::succeeded("TDG.MEM.PAGE.ACCEPT", r).map(|_| ())
    }

    // ── L2's registers in the guest-state buffer ─────────────────────────────────────────────────────

    fn gpr(&mut self, n: u64) -> Result<u64> {
        self.word(GUEST_STATE_BUFFER + 8 * n)
    }

    fn set_gpr(&mut self, n: u64, value: u64) -> Result<()> {
        self.set_word(GUEST_STATE_BUFFER + 8 * n, value)
    }

    fn rip(&mut self) -> Result<u64> {
        self.word(GUEST_STATE_BUFFER + RIP_OFFSET)
    }

    fn advance_rip(&mut self, length: u64) -> Result<()> {
        let rip = self.rip()?;
        self.set_word(GUEST_STATE_BUFFER + RIP_OFFSET, rip + length)
    }

    // ── Set-up ───────────────────────────────────────────────────────────────────────────────────────

    fn probe_td(&mut self) -> Result<()> {
        let info = self.call(leaf::TDG_VP_INFO, 0, 0, 0, 0)?;
        let info = L1::succeeded("TDG.VP.INFO", info)?;
        let n = self.call(leaf::TDG_VM_RD, 0, field::TD_NUM_L2_VMS, 0, 0)?;
        let n = L1::succeeded("TDG.VM.RD NUM_L2_VMS", n)?;
        println!("td: gpaw {}, {} L2 VMs", info.rcx & 0x3F, n.r8);
        if n.r8 < 1 {
            return fail("the TD has no L2 VM".to_string());
        }
        Ok(())
    }

    fn build_alias_table(&mut self) -> Result<()> {
        for &(gpa, vm1, vm2) in UP_FRONT.iter() {
            if vm1 != 0 {
                self.alias(gpa, 1, vm1)?;
            }
            if vm2 != 0 {
                self.alias(gpa, 2, vm2)?;
            }
        }
        for &(gpa, _, _) in UP_FRONT.iter().filter(|p| PENDING.contains(&p.0)) {
            self.accept(gpa)?;
        }
        Ok(())
    }

    /// The L2 image (boot ROM, kernel, GDT), then the initial guest state: GPRs 0, RFLAGS 0x2, RIP 0xFFF0.
    fn load_image(&mut self) -> Result<()> {
        for run in softseam::builtin_image("l2-boot")? {
            self.write(run.gpa, &run.bytes)?;
        }
        let mut buffer = [0u8; BUFFER_SIZE];
        buffer[RFLAGS_OFFSET as usize] = 0x2;
        buffer[RIP_OFFSET as usize..RIP_OFFSET as usize + 2].copy_from_slice(&0xFFF0u16.to_le_bytes());
        self.write(GUEST_STATE_BUFFER, &buffer)
    }

    fn set_up_vm1(&mut self) -> Result<()> {
        self.write_vmcs(vmcs::VIRTUAL_APIC_ADDRESS, VIRTUAL_APIC_PAGE)?;
        self.vp_wr(field::vp_l2_ctls(1), 0x2, 0x7)?; // L2_CTLS[1]: ENABLE_TDVMCALL
                                                     // VM1's MSR bitmap: EFER writes go to the module, x2APIC EOI writes to the CPU's EOI virtualization,
                                                     // everything else exits to L1.
        for &bit in &[EFER_WRITE_BIT, EOI_WRITE_BIT] {
            let id = field::l2_msr_bitmap(1, bit / 64);
            self.vp_wr(id, !(1u64 << (bit % 64)), field::element_mask(id))?;
        }
        self.write_vmcs(vmcs::CR0_GUEST_HOST_MASK, CR0_OWNED)?;
        self.write_vmcs(vmcs::CR0_READ_SHADOW, 0)?;
        self.write_vmcs(vmcs::CR4_GUEST_HOST_MASK, CR4_L2_BITS)?;
        self.write_vmcs(vmcs::CR4_READ_SHADOW, 0)?;
        self.write_vmcs_masked(vmcs::PRIMARY_PROC_BASED_CONTROLS, 1 << 15, 1 << 15)?; // CR3-load exiting
        self.write_vmcs_masked(vmcs::SECONDARY_PROC_BASED_CONTROLS, 1 << 2, 1 << 2)?; // descriptor-table exiting
        self.write_vmcs_masked(vmcs::GUEST_CR0, 0, 1)?; // real mode
        self.write_vmcs_masked(vmcs::GUEST_IA32_EFER, 0, EFER_LME)?;
        for seg in 0..6 {
            let cs = seg == CS;
            self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_SELECTOR, seg), if cs { 0xF000 } else { 0 })?;
            self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_BASE, seg), if cs { 0xFFFF_0000 } else { 0 })?;
            self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_LIMIT, seg), 0xFFFF)?;
            self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_AR, seg), if cs { 0x9B } else { 0x93 })?;
        }
        Ok(())
    }

    // ── Exit handlers ────────────────────────────────────────────────────────────────────────────────

    /// TDG.VP.VMCALL <IO> write (GHCI: R11 = 30, R12 = size, R13 = 1 write, R14 = port, R15 = data); L1's
    /// own TD exit to the host.
    fn tdvmcall_out(&mut self, port: u64, size: u64, value: u64) -> Result<()> {
        let r = self.tdcall(Regs {
            rax: leaf::TDG_VP_VMCALL,
            rcx: 0xFC00,
            r11: 30,
            r12: size,
            r13: 1,
            r14: port,
            r15: value,
            ..Regs::default()
        })?;
        if r.rax != 0 || r.r10 != 0 {
            return fail(format!("TDG.VP.VMCALL <IO>: rax 0x{:x} r10 0x{:x}", r.rax, r.r10));
        }
        println!("exit vm=0 reason=0x{:x} rip=-", exit_reason::TDCALL);
        Ok(())
    }

    fn ept_violation(&mut self, gpa: u64, eeq: u64) -> Result<()> {
        let page = gpa & !0xFFF;
        match LAZY.iter().find(|l| l.0 == page) {
            Some(&(_, attrs)) => {
                if eeq as u32 & 0xF == exit_reason::EEQ_TYPE_PENDING_EPT_VIOLATION {
                    self.accept(page)?;
                }
                self.alias(page, 1, attrs)
            }
            None => fail(format!("EPT violation at 0x{:x}, a page L2 may not use", gpa)),
        }
    }

    /// L1's CPUID policy for L2: leaf 0 max 1 "GenuineIntel", leaf 1 family 6 + hypervisor, 0x80000001 long
    /// mode.
    fn cpuid(&mut self, length: u64) -> Result<()> {
        let (a, b, c, d) = match self.gpr(0)? as u32 {
            0 => (1, 0x756E_6547, 0x6C65_746E, 0x4965_6E69),
            1 => (0x0006_06A6, 0, 1 << 31, 0),
            0x8000_0001 => (0, 0, 0, 1 << 29),
            _ => (0, 0, 0, 0),
        };
        self.set_gpr(0, a)?;
        self.set_gpr(3, b)?;
        self.set_gpr(1, c)?;
        self.set_gpr(2, d)?;
        self.advance_rip(length)
    }

    /// Port I/O (qualification: size − 1 in 2:0, IN in 3, port in 31:16): OUT to the UART data port goes to
    /// the host; IN from the line-status port says "transmitter empty"; other ports read all ones.
    fn io(&mut self, q: u64, length: u64) -> Result<()> {
        let size = (q & 7) + 1;
        let port = q >> 16 & 0xFFFF;
        let mask = if size == 4 { 0xFFFF_FFFF } else { (1u64 << (8 * size)) - 1 };
        if q & IO_IN != 0 {
            let value = if port == 0x3FD { 0x60 } else { mask };
            let rax = self.gpr(0)?;
            self.set_gpr(0, (rax & !mask) | value)?;
        } else if port == 0x3F8 {
            let data = self.gpr(0)? & mask;
            self.tdvmcall_out(port, size, data)?;
        }
        self.advance_rip(length)
    }

    /// Descriptor-table exiting: decodes [66] 2E 0F 01 16 disp16 (LGDT cs:[disp16]) at CS.base + RIP.
    fn lgdt(&mut self, length: u64) -> Result<()> {
        let cs_base = self.read_vmcs(vmcs::segment(vmcs::GUEST_ES_BASE, CS))?;
        let rip = self.rip()?;
        let mut b = [0u8; 8];
        self.read(cs_base + rip, &mut b)?;
        let operand32 = b[0] == 0x66;
        let i = operand32 as usize;
        if b[i..i + 4] != [0x2E, 0x0F, 0x01, 0x16] || (i + 6) as u64 != length {
            return fail("L1 decodes only LGDT cs:[disp16]".to_string());
        }
        let disp = u16::from_le_bytes([b[i + 4], b[i + 5]]) as u64;
        let mut p = [0u8; 6];
        self.read(cs_base + disp, &mut p)?;
        let limit = u16::from_le_bytes([p[0], p[1]]) as u64;
        let mut base = u32::from_le_bytes([p[2], p[3], p[4], p[5]]) as u64;
        if !operand32 {
            base &= 0xFF_FFFF; // a 16-bit LGDT loads 24 bits of base
        }
        self.write_vmcs(vmcs::GUEST_GDTR_BASE, base)?;
        self.write_vmcs(vmcs::GUEST_GDTR_LIMIT, limit)?;
        self.advance_rip(length)
    }

    /// Emulates the far JMP ([66] EA ptr16:16/32) after a mode-switching MOV to CR0: CS from L2's GDT.
    fn far_jump(&mut self, jump_rip: u64) -> Result<()> {
        let cs_base = self.read_vmcs(vmcs::segment(vmcs::GUEST_ES_BASE, CS))?;
        let operand32 = self.read_vmcs(vmcs::segment(vmcs::GUEST_ES_AR, CS))? & AR_DB != 0;
        let mut b = [0u8; 8];
        self.read(cs_base + jump_rip, &mut b)?;
        let prefixed = b[0] == 0x66;
        let o32 = operand32 != prefixed;
        let i = prefixed as usize;
        if b[i] != 0xEA {
            return fail("no far JMP after the MOV to CR0".to_string());
        }
        let n = if o32 { 4 } else { 2 };
        let offset = b[i + 1..i + 1 + n].iter().rev().fold(0u64, |v, &x| v << 8 | x as u64);
        let selector = u16::from_le_bytes([b[i + 1 + n], b[i + 2 + n]]) as u64;
        let gdtr = self.read_vmcs(vmcs::GUEST_GDTR_BASE)?;
        let d = self.word(gdtr + (selector & !7))?;
        let base = (d >> 16 & 0xFF_FFFF) | (d >> 56) << 24;
        let mut limit = (d & 0xFFFF) | (d >> 48 & 0xF) << 16;
        if d & DESC_G != 0 {
            limit = limit << 12 | 0xFFF;
        }
        let ar = (d >> 40 & 0xFF) | (d >> 52 & 0xF) << 12;
        self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_SELECTOR, CS), selector)?;
        self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_BASE, CS), base)?;
        self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_LIMIT, CS), limit)?;
        self.write_vmcs(vmcs::segment(vmcs::GUEST_ES_AR, CS), ar)?;
        self.set_word(GUEST_STATE_BUFFER + RIP_OFFSET, offset)
    }

    /// MOV to CR0 (PE or PG, the bits L1 owns) with the far JMP after it, CR3, or CR4 (qualification: CR in
    /// 3:0, access type in 5:4, GPR in 11:8). Setting PG with EFER.LME sets the IA-32e-mode-guest control but
    /// not EFER.LMA: that VM entry fails and `entry_failure` repairs it.
    fn mov_to_cr(&mut self, q: u64, length: u64) -> Result<()> {
        if q >> 4 & 3 != 0 {
            return fail("only MOV to CR exits in this guest".to_string());
        }
        let value = self.gpr(q >> 8 & 0xF)?;
        match q & 0xF {
            0 => {
                let old = self.read_vmcs(vmcs::GUEST_CR0)?;
                self.write_vmcs_masked(vmcs::GUEST_CR0, value, CR0_WRITABLE)?;
                self.write_vmcs(vmcs::CR0_READ_SHADOW, value & CR0_OWNED)?;
                let sets_pe = value & CR0_PE != 0 && old & CR0_PE == 0;
                let sets_pg =
                    value & CR0_PG != 0 && old & CR0_PG == 0 && self.read_vmcs(vmcs::GUEST_IA32_EFER)? & EFER_LME != 0;
                if !sets_pe && !sets_pg {
                    return fail(format!("unexpected MOV to CR0 0x{:x}", value));
                }
                if !sets_pe {
                    self.write_vmcs_masked(vmcs::VM_ENTRY_CONTROLS, IA32E_MODE_GUEST, IA32E_MODE_GUEST)?;
                }
                let rip = self.rip()?;
                return self.far_jump(rip + length);
            }
            3 => self.write_vmcs(vmcs::GUEST_CR3, value)?,
            4 => {
                self.write_vmcs_masked(vmcs::GUEST_CR4, value, CR4_L2_BITS)?;
                self.write_vmcs(vmcs::CR4_READ_SHADOW, value & CR4_L2_BITS)?;
            }
            cr => return fail(format!("MOV to CR{}", cr)),
        }
        self.advance_rip(length)
    }

    /// RDMSR: IA32_EFER from the VMCS into EDX:EAX, 0 for any other MSR.
    fn rdmsr(&mut self, length: u64) -> Result<()> {
        let value = if self.gpr(1)? as u32 == 0xC000_0080 { self.read_vmcs(vmcs::GUEST_IA32_EFER)? } else { 0 };
        self.set_gpr(0, value & 0xFFFF_FFFF)?;
        self.set_gpr(2, value >> 32)?;
        self.advance_rip(length)
    }

    /// WRMSR: only IA32_TSC_DEADLINE (0x6E0) reaches L1; L1 emulates L2's timer with TSC_DEADLINE[VM1].
    fn wrmsr(&mut self, length: u64) -> Result<()> {
        let msr = self.gpr(1)? as u32;
        if msr != 0x6E0 {
            return fail(format!("unexpected WRMSR of 0x{:x}", msr));
        }
        let deadline = self.gpr(2)? << 32 | (self.gpr(0)? & 0xFFFF_FFFF);
        self.vp_wr(field::vp_tsc_deadline(1), deadline, u64::MAX)?;
        self.advance_rip(length)
    }

    /// VMX-preemption timer expired (52): disarm the deadline and inject the timer's vector with
    /// virtual-interrupt delivery — its bit in VIRR of VM1's virtual-APIC page, RVI in the buffer.
    fn timer_expired(&mut self) -> Result<()> {
        self.vp_wr(field::vp_tsc_deadline(1), u64::MAX, u64::MAX)?;
        let irr = VIRTUAL_APIC_PAGE + 0x200 + (TIMER_VECTOR >> 5) * 16 + (TIMER_VECTOR & 31) / 8;
        let mut b = [0u8; 1];
        self.read(irr, &mut b)?;
        b[0] |= 1 << (TIMER_VECTOR & 7);
        self.write(irr, &b)?;
        let at = GUEST_STATE_BUFFER + INTERRUPT_STATUS_OFFSET;
        let mut status = [0u8; 2];
        self.read(at, &mut status)?;
        status[0] = status[0].max(TIMER_VECTOR as u8); // RVI = the highest requesting vector
        self.write(at, &status)
    }

    /// VM entry failed (invalid guest state): IA-32e mode guest without EFER.LMA; set LMA and re-enter.
    fn entry_failure(&mut self) -> Result<()> {
        let efer = self.read_vmcs(vmcs::GUEST_IA32_EFER)?;
        let cr0 = self.read_vmcs(vmcs::GUEST_CR0)?;
        let entry = self.read_vmcs(vmcs::VM_ENTRY_CONTROLS)?;
        if !(entry & IA32E_MODE_GUEST != 0 && efer & EFER_LMA == 0 && efer & EFER_LME != 0 && cr0 & CR0_PG != 0) {
            return fail("unexpected VM-entry failure".to_string());
        }
        self.write_vmcs_masked(vmcs::GUEST_IA32_EFER, EFER_LMA, EFER_LMA)
    }

    /// TDG.VP.ENTER of VM1; handles the L2→L1 exit it returns with.
    fn run_l2_once(&mut self) -> Result<()> {
        let r = self.call(leaf::TDG_VP_ENTER, vp_enter::vm(1), GUEST_STATE_BUFFER, 0, 0)?;
        if status::class(r.rax) != status::TDX_SUCCESS {
            return fail(format!("TDG.VP.ENTER: TDX status 0x{:016X}", status::class(r.rax)));
        }
        let reason = vp_enter::exit_reason(r.rax);
        let length = vp_enter::instruction_length(r.r11) as u64;
        println!("exit vm=1 reason=0x{:x} rip=0x{:x}", reason, self.rip()?);
        match reason {
            exit_reason::EPT_VIOLATION => self.ept_violation(r.r8, r.r13),
            exit_reason::CPUID => self.cpuid(length),
            exit_reason::IO_INSTRUCTION => self.io(r.rcx, length),
            exit_reason::GDTR_IDTR_ACCESS => self.lgdt(length),
            exit_reason::CR_ACCESS => self.mov_to_cr(r.rcx, length),
            exit_reason::RDMSR => self.rdmsr(length),
            exit_reason::WRMSR => self.wrmsr(length),
            exit_reason::PREEMPTION_TIMER => self.timer_expired(),
            r if r == exit_reason::ENTRY_FAILURE | exit_reason::ENTRY_FAIL_GUEST_STATE => self.entry_failure(),
            exit_reason::HLT => {
                self.halted = true;
                self.advance_rip(length)
            }
            other => fail(format!("unexpected L2 exit reason 0x{:x}", other)),
        }
    }

    /// L2's mode from guest CR0, EFER, the entry controls and CS access rights.
    fn mode(&mut self) -> Result<&'static str> {
        let cr0 = self.read_vmcs(vmcs::GUEST_CR0)?;
        let efer = self.read_vmcs(vmcs::GUEST_IA32_EFER)?;
        let entry = self.read_vmcs(vmcs::VM_ENTRY_CONTROLS)?;
        let ar = self.read_vmcs(vmcs::segment(vmcs::GUEST_ES_AR, CS))?;
        Ok(if cr0 & CR0_PE == 0 {
            "real mode"
        } else if entry & IA32E_MODE_GUEST != 0 && efer & EFER_LMA != 0 {
            if ar & AR_L != 0 {
                "long mode (IA-32e, CS.L=1)"
            } else {
                "compatibility mode (IA-32e, CS.L=0)"
            }
        } else if cr0 & CR0_PG != 0 {
            "protected mode with paging"
        } else if ar & AR_DB != 0 {
            "protected mode (32-bit)"
        } else {
            "protected mode (16-bit)"
        })
    }
}

fn run() -> Result<()> {
    let (mut trace, mut events) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--trace", Some(file)) => trace = Some(file),
            ("--l2-events", Some(file)) => events = Some(file),
            _ => return fail(USAGE.to_string()),
        }
    }
    let mut td = Machine::new(CONFIG).map_err(|e| Fail(format!("softseam_create: {}", e.message())))?;
    if let Some(ref path) = trace {
        td.trace_start(path, TraceFormat::Json, Some("rust-l1 (Rust) boots VM1"))?;
    }
    match events {
        Some(ref file) => td.set_l2_events_file(1, file)?,
        None => td.set_l2_program(1, "l2-boot")?,
    }
    let mut l1 = L1 { td, halted: false };
    l1.probe_td()?;
    l1.build_alias_table()?;
    l1.load_image()?;
    l1.set_up_vm1()?;
    while !l1.halted {
        l1.run_l2_once()?;
    }
    println!("mode={}", l1.mode()?);
    println!("state_hash=0x{:016X}", l1.td.state_hash());
    if trace.is_some() {
        l1.td.trace_stop()?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rust-l1: {}", e);
            if e.0 == USAGE {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
