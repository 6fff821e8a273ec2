//! The drop-in driven the way td-shim-style TD code drives `tdx-tdcall`: free functions, no machine in
//! sight, a SoftSEAM vCPU attached to the thread behind them. Expectations are derived by hand from the TDX
//! module ABI (status codes from Specs/status-codes.tsv; TDG.VP.INFO's layout from module
//! src/td_dispatcher/vm_exits/tdg_vp_info.c) and from the README's description of the built-in host.

use softseam::{tdx as t, Access, Config, L2Reply, Machine, MemoryState, PageSize, TraceFormat};
use tdx_tdcall::backend;
use tdx_tdcall::tdx::*;
use tdx_tdcall::TdCallError;

fn rwx() -> u16 {
    t::gpa_attr::R | t::gpa_attr::W | t::gpa_attr::XS | t::gpa_attr::XU
}

#[test]
fn accepting_ranges_with_the_2m_to_4k_fallback() {
    let config = Config::new()
        .mapped(0x100000, 0x1000)
        .pending(0x200000, 0x200000) // 4K pages: a 2M accept is PAGE_SIZE_MISMATCH
        .memory_pages(0x400000, 0x200000, MemoryState::Pending, PageSize::Size2M)
        .pending(0x600000, 0x3000);
    let mut td = Machine::from_config(&config).unwrap();
    let dir = std::env::temp_dir().join(format!("tdx-tdcall-accept-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("accept.trace.jsonl");
    td.trace_start(&trace, TraceFormat::Json, Some("tdx-tdcall drop-in: accept")).unwrap();
    backend::attach(td, 0);

    // Not accepted yet: an L1 load there takes a #VE.
    let ve = backend::with_machine(|m, _| m.mem_read(0x3FF000, &mut [0u8; 1]).unwrap());
    assert_eq!(ve, Access::VirtualizationException);
    assert_eq!(tdcall_get_ve_info().unwrap().guest_pa, 0x3FF000, "the #VE's GPA");

    td_accept_memory(0x200000, 0x200000); // 1 ACCEPT at 2M (size mismatch) + 512 at 4K
    td_accept_memory(0x400000, 0x200000); // 1 ACCEPT at 2M
    td_accept_memory(0x600000, 0x3000); // 3 ACCEPTs at 4K
    td_accept_memory(0x601000, 0x1000); // already accepted: skipped, no panic
    for &gpa in &[0x200000u64, 0x3FF000, 0x400000, 0x5FF000, 0x602000] {
        let read = backend::with_machine(|m, _| m.mem_read(gpa, &mut [0u8; 8]).unwrap());
        assert_eq!(read, Access::Done(()), "0x{:x} is accepted", gpa);
    }
    // The statuses the fallback relies on, seen directly: ALREADY_ACCEPTED with level 0 at 4K, and at 2M
    // (level 1) PAGE_SIZE_MISMATCH(1) for the range mapped with 4K pages.
    assert_eq!(tdcall_accept_page(0x600000), Err(TdCallError::LeafSpecific(0x0000_0B0A_0000_0000)));
    assert_eq!(tdcall_accept_page(0x200000 | 1), Err(TdCallError::LeafSpecific(0xC000_0B0B_0000_0001)));

    let mut td = backend::detach().unwrap();
    // Steps: a load that took a #VE, VEINFO.GET, 513 + 1 + 3 + 1 ACCEPTs, the two direct ACCEPTs.
    assert_eq!(td.trace_stop().unwrap(), 2 + 513 + 1 + 3 + 1 + 2);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn td_info_metadata_attributes_and_l2_entry() {
    const ALIAS: u64 = 0x100000;
    const GUEST: u64 = 0x101000;
    const VAPIC: u64 = 0x102000;
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).vcpus(2).mapped(0x100000, 0x4000)).unwrap();
    td.set_l2_callback(1, |_, state, events| {
        events.push_str(if state.rip == 0x1000 {
            "[{\"write\":{\"gpa\":\"0x100000\",\"size\":8,\"value\":\"0x2a\"}}, \"cpuid\"]"
        } else {
            "\"hlt\""
        });
        L2Reply::Events
    })
    .unwrap();
    backend::attach(td, 1);

    let info = tdcall_get_td_info().unwrap();
    assert_eq!((info.gpaw, info.attributes, info.num_vcpus, info.max_vcpus, info.vcpu_index), (48, 0, 2, 2, 1));
    assert_eq!(td_shared_mask(), Some(1 << 47));
    assert_eq!(tdcall_vm_read(t::field::TD_NUM_L2_VMS, 0).unwrap().1, 1);
    assert_eq!(
        tdcall_vm_read(0xFFFF_FFFF_FFFF, 0),
        Err(TdCallError::LeafSpecific(t::status::TDX_METADATA_FIELD_ID_INCORRECT)),
        "an id that is no field"
    );
    // No #VE happened: VEINFO.GET has nothing.
    assert_eq!(tdcall_get_ve_info(), Err(TdCallError::LeafSpecific(t::status::TDX_NO_VALID_VE_INFO)));

    // L2 set-up as a TD-partitioning L1 does it: alias a page into VM1, the virtual-APIC page, the buffer.
    let request = t::gpa_attr::for_vm(1, rwx() | t::gpa_attr::VALID);
    assert_eq!(tdcall_mem_page_attr_wr(ALIAS, request, t::gpa_attr::for_vm(1, rwx())), Ok((ALIAS, request)));
    let vapic_field = t::field::l2_vmcs(1, 0x0000_0003_0000_2012);
    tdcall_vp_write(vapic_field, VAPIC, u64::MAX).unwrap();
    assert_eq!(tdcall_vp_read(vapic_field).unwrap().1, VAPIC);
    // A read-only field (POSTED_INTR_DESC_ADDRESS) refuses the write.
    assert_eq!(
        tdcall_vp_write(t::field::l2_vmcs(1, 0x0000_0003_0000_2016), 0x1000, u64::MAX),
        Err(TdCallError::LeafSpecific(t::status::TDX_METADATA_FIELD_NOT_WRITABLE))
    );
    let mut buffer = vec![0u8; 0x9A];
    buffer[0x80] = 2; // RFLAGS
    buffer[0x89] = 0x10; // RIP 0x1000
    backend::with_machine(|m, _| assert_eq!(m.mem_write(GUEST, &buffer).unwrap(), Access::Done(())));

    let exit = tdcall_vp_enter(t::vp_enter::vm(1), GUEST);
    assert_eq!((exit.rax >> 32, exit.rax as u32, exit.r11 >> 32), (0, 10, 2), "L2's CPUID: exit 10, length 2");
    assert_eq!(tdcall_vp_invept(1 << 1), Ok(()), "flush VM1's translations");
    let mut word = [0u8; 8];
    backend::with_machine(|m, _| assert_eq!(m.mem_read(ALIAS, &mut word).unwrap(), Access::Done(())));
    assert_eq!(u64::from_le_bytes(word), 0x2a, "L2's store through its alias");

    // The built-in host's GHCI answers (README): I/O in reads all ones, RDMSR 0, WRMSR accepted.
    assert_eq!(tdvmcall_io_read_8(0x3F8), 0xFF);
    assert_eq!(tdvmcall_io_read_16(0x60), 0xFFFF);
    assert_eq!(tdvmcall_io_read_32(0xCF8), 0xFFFF_FFFF);
    tdvmcall_io_write_8(0x3F8, b'A');
    assert_eq!(tdvmcall_rdmsr(0x1B), Ok(0));
    assert_eq!(tdvmcall_wrmsr(0x1B, 1), Ok(()));
    assert_eq!(tdvmcall_setup_event_notify(0x20), Ok(()));
    assert_eq!(
        tdvmcall_setup_event_notify(0x10),
        Err(tdx_tdcall::TdVmcallError::VmcallOperandInvalid),
        "vector below 32"
    );
    // MapGPA of page 0x103000 to shared: the host maps the shared alias.
    let shared = 0x103000 | 1 << 47;
    let before = backend::with_machine(|m, _| m.host_read_shared(shared, &mut [0u8; 8]).map_err(|e| e.kind()));
    assert_eq!(before, Err(softseam::ErrorKind::Memory));
    assert_eq!(tdvmcall_mapgpa(true, 0x103000, 0x1000), Ok(()));
    let after = backend::with_machine(|m, _| m.host_read_shared(shared, &mut [0u8; 8]).map_err(|e| e.kind()));
    assert_eq!(after, Ok(()));
    assert_eq!(tdvmcall_mapgpa(true, 0x103800, 0x1000), Err(tdx_tdcall::TdVmcallError::VmcallAlignError));
    // A digest on the stack: the TD does not map its address, so the wrapper refuses it before any TDCALL.
    assert_eq!(tdcall_extend_rtmr(&TdxDigest { data: [0; 48] }, 0), Err(TdCallError::TdxExitInvalidParameters));
    drop(backend::detach());
}

#[test]
fn without_a_machine_a_tdcall_panics_with_a_clear_message() {
    let payload = std::panic::catch_unwind(tdcall_get_td_info).unwrap_err();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap();
    assert!(message.contains("no SoftSEAM machine attached"), "{}", message);
}

#[test]
fn tdreport_layout_and_buffers_the_td_does_not_map() {
    use std::mem::size_of;
    use tdx_tdcall::tdreport::*;
    // TDX module ABI: REPORTMACSTRUCT 256 bytes, TEE_TCB_INFO 239, reserved 17, TDINFO_STRUCT 512 = 1024.
    assert_eq!((size_of::<ReportMac>(), size_of::<TeeTcbInfo>(), size_of::<TdInfo>()), (256, 239, 512));
    assert_eq!(size_of::<TdxReport>(), TD_REPORT_SIZE);
    let mut bytes = vec![0u8; TD_REPORT_SIZE];
    bytes[0] = 0x81; // REPORTTYPE.TYPE: TDX
    bytes[256] = 1; // TEE_TCB_INFO.VALID[0]
    bytes[512] = 7; // TDINFO.ATTRIBUTES[0]
    let report = TdxReport::read_from_bytes(&bytes).unwrap();
    let (mac, tcb, td) = (report.report_mac, report.tee_tcb_info, report.td_info);
    assert_eq!((mac.report_type.r#type, tcb.valid[0], td.attributes[0]), (0x81, 1, 7));
    assert_eq!(report.as_bytes(), &bytes[..]);
    assert!(TdxReport::read_from_bytes(&bytes[..1023]).is_none());
    assert_eq!(tdcall_verify_report(&[0u8; 255]), Err(TdCallError::TdxExitInvalidParameters));

    backend::attach(Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap(), 0);
    let hash = backend::with_machine(|m, _| m.state_hash());
    // Buffers on the stack: the TD does not map their addresses, so the wrappers refuse them before any TDCALL
    // (never a report made up) and nothing changes.
    assert!(matches!(
        tdcall_report(&[0u8; TD_REPORT_ADDITIONAL_DATA_SIZE]),
        Err(TdCallError::TdxExitInvalidParameters)
    ));
    assert_eq!(tdcall_verify_report(&[0u8; 256]), Err(TdCallError::TdxExitInvalidParameters));
    assert_eq!(tdcall_extend_rtmr(&TdxDigest { data: [0; 48] }, 0), Err(TdCallError::TdxExitInvalidParameters));
    assert_eq!(backend::with_machine(|m, _| m.state_hash()), hash);
    drop(backend::detach());
}

#[test]
fn service_td_calls_the_model_does_not_serve() {
    #[repr(C, align(4096))]
    struct Page([u8; 4096]);
    backend::attach(Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap(), 0);
    // Not a leaf of module 1.5.01: OPERAND_INVALID with operand id RAX (0), README "Implemented, leaf by leaf".
    assert_eq!(
        tdcall_servtd_rebind_approve(0, &[0u8; 32], &[0u64; 4]),
        Err(TdCallError::TdxExitReasonOperandInvalid(0))
    );
    assert_eq!(tdcall_servtd_rebind_approve(0, &[0u8; 31], &[0u64; 4]), Err(TdCallError::TdxExitInvalidParameters));
    // The built-in host answers sub-functions it does not serve with INVALID_OPERAND (README, the built-in host).
    let mut page = Page([0; 4096]);
    assert_eq!(tdvmcall_migtd_send(1, &mut page.0, 0), Err(tdx_tdcall::TdVmcallError::VmcallOperandInvalid));
    // The argument checks come before any TDVMCALL: an unaligned buffer, a vector 1…31.
    assert_eq!(tdvmcall_migtd_receive(1, &mut page.0[1..], 0), Err(tdx_tdcall::TdVmcallError::VmcallAlignError));
    assert_eq!(tdvmcall_migtd_waitforrequest(&mut page.0, 5), Err(tdx_tdcall::TdVmcallError::VmcallOperandInvalid));
    // GetQuote of a buffer at the shared alias of a Rust address: the host has not mapped it as shared memory.
    assert_eq!(tdvmcall_get_quote(&mut page.0), Err(tdx_tdcall::TdVmcallError::VmcallOperandInvalid));
    drop(backend::detach());
}

#[test]
fn an_interrupted_2m_accept_is_executed_again_until_it_completes() {
    let config =
        Config::new().mapped(0x100000, 0x1000).memory_pages(0x400000, 0x200000, MemoryState::Pending, PageSize::Size2M);
    let mut td = Machine::from_config(&config).unwrap();
    let dir = std::env::temp_dir().join(format!("tdx-tdcall-interrupted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    td.trace_start(dir.join("interrupted.trace.jsonl"), TraceFormat::Json, None).unwrap();
    // An interrupt pending for L1 (RVI class 3 above PPR class 0) that L1 does not take: softseam.h says a 2M
    // ACCEPT then stops after every 4K chunk but the last, keeping its progress in the SEPT entry.
    td.set_l1_interrupt_state(0, 0x30, 0x00).unwrap();
    backend::attach(td, 0);
    assert_eq!(tdcall_accept_page(0x400000 | 1), Ok(()));
    let mut td = backend::detach().unwrap();
    assert_eq!(td.mem_read(0x5FF000, &mut [0u8; 8]).unwrap(), Access::Done(()), "the whole 2M page is accepted");
    // Steps: the host's l1_interrupt_state, then 511 interrupted ACCEPTs and the one that completes.
    assert_eq!(td.trace_stop().unwrap(), 1 + 512);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rtmr_extend_hashes_the_digest_at_its_address() {
    // The digest in a 64-byte-aligned box whose page the TD maps (as an identity-mapped TD would).
    #[repr(C, align(64))]
    struct Aligned(TdxDigest);
    let mut digest = Box::new(Aligned(TdxDigest { data: [0; 48] }));
    for (i, b) in digest.0.data.iter_mut().enumerate() {
        *b = i as u8;
    }
    let gpa = digest.0.data.as_ptr() as u64;
    assert!(gpa < 1 << 47, "a heap address below the shared bit of GPAW 48");
    backend::attach(Machine::from_config(&Config::new().mapped(gpa & !0xFFF, 0x1000)).unwrap(), 0);
    assert_eq!(tdcall_extend_rtmr(&digest.0, 4), Err(TdCallError::TdxExitReasonOperandInvalid(2))); // RDX
    assert_eq!(tdcall_extend_rtmr(&digest.0, 3), Ok(()));
    // RTMR[3] = SHA-384(48 zero bytes ‖ bytes 0…47), worked out with Python's hashlib, as TDG.VM.RD reads it:
    // field RTMR 0x1310000300000040, elements 18…23, little-endian words.
    let expected: [u64; 6] = [
        0xC7B5_CAD1_42F7_83FE,
        0xFB31_9872_24C4_A009,
        0x8F61_8A74_B95B_9BFF,
        0xD5E4_FDE1_4FA0_6E0B,
        0x7B58_C97F_0E04_F446,
        0xB041_C9A6_ADAD_6B2E,
    ];
    for (k, word) in expected.iter().enumerate() {
        assert_eq!(
            tdcall_vm_read(0x1310_0003_0000_0040 + 18 + k as u64, 0).map(|r| r.1),
            Ok(*word),
            "element {}",
            18 + k
        );
    }
    drop(backend::detach());
}
