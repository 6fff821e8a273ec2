//! The safe API against libsoftseam, with expectations derived by hand from the TDX ABI: TDG.VP.INFO's
//! register layout (module src/td_dispatcher/vm_exits/tdg_vp_info.c: RCX = GPAW, RDX = ATTRIBUTES, R8 =
//! NUM_VCPUS | MAX_VCPUS << 32, R9 = VCPU_INDEX, R10 = 1 (TDG.SYS.RD available), R11 = 0), status codes from
//! Specs/status-codes.tsv, exit reasons from the SDM, and the header's rules.

use softseam::{
    tdx, Access, Completion, Config, ErrorKind, L2EnterGuestState, L2Reply, Location, Machine, Regs, TraceFormat,
};
use std::sync::{Arc, Mutex};

fn regs(rax: u64, rcx: u64, rdx: u64, r8: u64, r9: u64) -> Regs {
    Regs { rax, rcx, rdx, r8, r9, ..Regs::default() }
}

#[test]
fn vp_info_reports_the_configured_td() {
    // 3 vCPUs, GPAW 52, ATTRIBUTES.DEBUG (bit 0); asked on vCPU 2.
    let mut td = Machine::from_config(&Config::new().vcpus(3).gpaw(52).attributes(1).mapped(0x100000, 0x1000)).unwrap();
    let mut r = regs(tdx::leaf::TDG_VP_INFO, 0, 0, 0, 0);
    assert_eq!(td.tdcall(2, &mut r).unwrap(), Completion::Done);
    assert_eq!(r.rax, tdx::status::TDX_SUCCESS);
    assert_eq!(r.rcx, 52);
    assert_eq!(r.rdx, 1);
    assert_eq!(r.r8, 3 | 3 << 32);
    assert_eq!(r.r9, 2);
    assert_eq!(r.r10, 1);
    assert_eq!(r.r11, 0);
}

#[test]
fn vm_rd_of_num_l2_vms_and_the_facts() {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(2).vcpus(2).mapped(0x100000, 0x1000)).unwrap();
    let mut r = regs(tdx::leaf::TDG_VM_RD, 0, tdx::field::TD_NUM_L2_VMS, 0, 0);
    assert_eq!(td.tdcall(1, &mut r).unwrap(), Completion::Done);
    assert_eq!((r.rax, r.r8), (0, 2));
    assert_eq!((td.vcpu_count(), td.num_l2_vms()), (2, 2));
    assert_eq!(td.vcpu_location(1).unwrap(), Location::L1);
    assert_eq!(td.tsc(), 0, "the virtual TSC starts at 0 and only L2 time events move it");
    assert_ne!(td.tdvpr(0).unwrap(), td.tdvpr(1).unwrap());
}

#[test]
fn memory_round_trip_and_the_state_hash() {
    let config = Config::new().mapped(0x100000, 0x2000);
    let mut a = Machine::from_config(&config).unwrap();
    let b = Machine::from_config(&config).unwrap();
    assert_eq!(a.state_hash(), b.state_hash(), "the same config builds the same state");
    assert_eq!(a.mem_write(0x100ff8, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).unwrap(), Access::Done(()));
    let mut back = [0u8; 12];
    assert_eq!(a.mem_read(0x100ff8, &mut back).unwrap(), Access::Done(()));
    assert_eq!(back, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], "across the page boundary");
    assert_ne!(a.state_hash(), b.state_hash(), "a store changes the state");
    // 0x300000 is no memory of the TD: nothing is read.
    let err = a.mem_read(0x300000, &mut back).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Memory);
    assert_eq!(err.code(), -5);
}

#[test]
fn accept_of_a_pending_page_then_already_accepted() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000).pending(0x104000, 0x1000)).unwrap();
    // A load from a PENDING page while PENDING_VE_DISABLE is 0 is a #VE (header: SOFTSEAM_VE).
    let mut b = [0u8; 8];
    assert_eq!(td.mem_read(0x104000, &mut b).unwrap(), Access::VirtualizationException);
    // TDG.VP.VEINFO.GET then reads it: exit reason 48 (EPT violation) in RCX, the GPA in R9.
    let mut r = regs(tdx::leaf::TDG_VP_VEINFO_GET, 0, 0, 0, 0);
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!((r.rax, r.rcx as u32, r.r9), (0, 48, 0x104000));
    let mut r = regs(tdx::leaf::TDG_MEM_PAGE_ACCEPT, 0x104000, 0, 0, 0);
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!(r.rax, tdx::status::TDX_SUCCESS);
    assert_eq!(td.mem_read(0x104000, &mut b).unwrap(), Access::Done(()));
    assert_eq!(b, [0; 8], "an accepted page reads zeros");
    let mut r = regs(tdx::leaf::TDG_MEM_PAGE_ACCEPT, 0x104000, 0, 0, 0);
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    // PAGE_ALREADY_ACCEPTED with the EPT level (0 = 4K) in the details.
    assert_eq!(r.rax, 0x0000_0B0A_0000_0000);
}

#[test]
fn l1_msrs_and_cpuid() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    // The x2APIC TPR (0x808) is virtualized into L1's virtual APIC; with no interrupt in service PPR = TPR
    // (SDM Vol. 3C §30.1.3).
    assert_eq!(td.wrmsr(0, 0x808, 0x20).unwrap(), Access::Done(()));
    assert_eq!(td.rdmsr(0, 0x808).unwrap(), Access::Done(0x20));
    assert_eq!(td.rdmsr(0, 0x80A).unwrap(), Access::Done(0x20));
    // IA32_VMX_BASIC (0x480) is a read-only capability MSR (SDM Vol. 3D appendix A.1): WRMSR is #GP(0).
    assert_eq!(td.wrmsr(0, 0x480, 0).unwrap(), Access::GeneralProtection);
    // CPUID leaf 0: EBX, EDX, ECX spell "GenuineIntel".
    let out = td.cpuid(0, 0, 0).unwrap().done().expect("CPUID(0) completes");
    assert_eq!((out[1], out[3], out[2]), (0x756E_6547, 0x4965_6E69, 0x6C65_746E));
}

const SHARED: u64 = 0x100000;
const GUEST: u64 = 0x101000;
const VAPIC: u64 = 0x102000;

/// The first-l1 walkthrough's TD: page SHARED aliased RWX into VM1, the guest-state buffer, the vAPIC page.
fn l2_ready_td() -> Machine {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x100000, 0x3000)).unwrap();
    let rwx = tdx::gpa_attr::R | tdx::gpa_attr::W | tdx::gpa_attr::XS | tdx::gpa_attr::XU;
    let mut r = regs(
        tdx::leaf::TDG_MEM_PAGE_ATTR_WR,
        SHARED,
        tdx::gpa_attr::for_vm(1, rwx | tdx::gpa_attr::VALID),
        tdx::gpa_attr::for_vm(1, rwx),
        0,
    );
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!(r.rax, 0);
    let mut r = regs(tdx::leaf::TDG_VP_WR, 0, tdx::field::l2_vmcs(1, 0x0000_0003_0000_2012), VAPIC, u64::MAX);
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!(r.rax, 0);
    let gs = L2EnterGuestState { rsp: 0x8000, rflags: 0x2, rip: 0x1000, ..L2EnterGuestState::default() };
    assert_eq!(td.mem_write(GUEST, &guest_bytes(&gs)).unwrap(), Access::Done(()));
    td
}

fn guest_bytes(gs: &L2EnterGuestState) -> Vec<u8> {
    let words = [
        gs.rax, gs.rcx, gs.rdx, gs.rbx, gs.rsp, gs.rbp, gs.rsi, gs.rdi, gs.r8, gs.r9, gs.r10, gs.r11, gs.r12, gs.r13,
        gs.r14, gs.r15, gs.rflags, gs.rip, gs.ssp,
    ];
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes().to_vec()).collect();
    out.extend_from_slice(&gs.interrupt_status.to_le_bytes());
    out
}

#[test]
fn l2_callback_runs_l2_until_its_exit_to_l1() {
    let mut td = l2_ready_td();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    td.set_l2_callback(1, move |m, state, events| {
        let mut word = [0u8; 8];
        // Reads are allowed from inside an L2 source.
        let read = m.mem_read(SHARED, &mut word).map(|a| a == Access::Done(()));
        log.lock().unwrap().push((state.vm, state.vcpu, state.rip, read.unwrap_or(false)));
        events.push_str("[{\"write\":{\"gpa\":\"0x100000\",\"size\":8,\"value\":\"0x2a\"}}, \"cpuid\"]");
        L2Reply::Events
    })
    .unwrap();
    let mut r = regs(tdx::leaf::TDG_VP_ENTER, tdx::vp_enter::vm(1), GUEST, 0, 0);
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    // L2's CPUID exits to L1: status class SUCCESS, exit reason 10, instruction length 2.
    assert_eq!(tdx::status::class(r.rax), 0);
    assert_eq!(tdx::vp_enter::exit_reason(r.rax), 10);
    assert_eq!(tdx::vp_enter::instruction_length(r.r11), 2);
    assert_eq!(*seen.lock().unwrap(), vec![(1, 0, 0x1000, true)]);
    let mut word = [0u8; 8];
    assert_eq!(td.mem_read(SHARED, &mut word).unwrap(), Access::Done(()));
    assert_eq!(u64::from_le_bytes(word), 0x2a, "L2's store reached the aliased page");
}

#[test]
fn host_callback_completes_an_l1_vmcall() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    let seen = Arc::new(Mutex::new(None));
    let log = seen.clone();
    td.set_host_callback(move |m, exit| {
        let location = m.vcpu_location(exit.vcpu).unwrap();
        let mut r = Regs {
            rax: tdx::leaf::TDH_VP_ENTER,
            rcx: m.tdvpr(exit.vcpu).unwrap(),
            r10: 0,
            r12: 0xAAAA,
            ..Regs::default()
        };
        let entered = m.seamcall(&mut r).map(|_| r.rax);
        *log.lock().unwrap() = Some((*exit, location, entered));
    })
    .unwrap();
    // TDG.VP.VMCALL exposing R10–R15 (RCX 0xFC00), GHCI sub-function 0x77 in R11.
    let mut r = Regs { rax: 0, rcx: 0xFC00, r11: 0x77, r12: 0x1212, ..Regs::default() };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    let (exit, location, entered) = seen.lock().unwrap().take().expect("the host saw the exit");
    assert_eq!((exit.vm, exit.vcpu, exit.exit_reason), (0, 0, 77), "TDCALL exit (77) of L1 itself");
    assert_eq!((exit.regs.r11, exit.regs.r12), (0x77, 0x1212));
    assert_eq!(location, Location::WaitsForHost);
    assert_eq!(entered, Ok(0), "TDH.VP.ENTER from the callback: TDX_SUCCESS");
    assert_eq!((r.rax, r.r10, r.r12), (0, 0, 0xAAAA), "the host's answer in L1's selected registers");
}

#[test]
fn host_callback_that_does_not_resume_leaves_the_vcpu_waiting() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    td.set_host_callback(|_, _| {}).unwrap();
    let mut r = Regs { rax: 0, rcx: 0xFC00, r11: 0x77, ..Regs::default() };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::TdExit);
    assert_eq!(r.rax as u32, 77, "the TD-exit registers the host saw");
    assert_eq!(td.vcpu_location(0).unwrap(), Location::WaitsForHost);
    // The host re-enters later from outside the callback: L1 runs again.
    let mut enter = Regs { rax: tdx::leaf::TDH_VP_ENTER, rcx: td.tdvpr(0).unwrap(), ..Regs::default() };
    td.seamcall(&mut enter).unwrap();
    assert_eq!(enter.rax, 0);
    assert_eq!(td.vcpu_location(0).unwrap(), Location::L1);
}

#[test]
fn a_trace_counts_its_steps() {
    let dir = std::env::temp_dir().join(format!("softseam-api-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("info.trace.jsonl");
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    td.trace_start(&path, TraceFormat::Json, Some("api test")).unwrap();
    for _ in 0..3 {
        let mut r = regs(tdx::leaf::TDG_VP_INFO, 0, 0, 0, 0);
        assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    }
    assert_eq!(td.mem_write(0x100000, &[1]).unwrap(), Access::Done(()));
    assert_eq!(td.trace_stop().unwrap(), 4, "three TDCALLs and one store");
    let text = std::fs::read_to_string(&path).unwrap();
    // Traces/FORMAT.md: a header line, one line per step, and the end record with the step count.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "a header, four steps, the end record");
    assert!(lines[0].starts_with("{\"softseam\":\"trace\""), "{}", lines[0]);
    assert_eq!(lines[5], "{\"softseam\":\"end\",\"steps\":4}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn builtin_image_of_the_demo_l2() {
    let runs = softseam::builtin_image("l2-boot").unwrap();
    assert!(!runs.is_empty());
    // The boot ROM's reset vector: the run holding 0xFFFFFFF0 (x86 reset, CS base 0xFFFF0000 + IP 0xFFF0).
    assert!(runs.iter().any(|r| r.gpa <= 0xFFFF_FFF0 && 0xFFFF_FFF0 < r.gpa + r.bytes.len() as u64));
    assert_eq!(softseam::builtin_image("no-such-program").unwrap_err().kind(), ErrorKind::Invalid);
}
