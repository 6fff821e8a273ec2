//! Misuse: what libsoftseam refuses, as softseam.h says it does (a negative result with a message; nothing
//! changes), and what the crate guarantees around it (callbacks freed with the machine, panics rethrown).

use softseam::{tdx, Completion, Config, ErrorKind, L2Reply, Machine, Regs};
use std::sync::{Arc, Mutex};

fn info() -> Regs {
    Regs { rax: tdx::leaf::TDG_VP_INFO, ..Regs::default() }
}

#[test]
fn bad_configs_are_config_errors_naming_the_key() {
    let err = Machine::new("{\"num_l2_vms\": 4}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(err.code(), -8);
    assert!(err.message().contains("num_l2_vms"), "{}", err);
    let err = Machine::new("{\"bogus\": 1}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.message().contains("bogus"), "{}", err);
    let err = Machine::new("{\"vcpus\": ").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
    assert_eq!(Machine::new("{\"vcpus\": 1}\0").unwrap_err().kind(), ErrorKind::Invalid);
}

#[test]
fn a_vcpu_the_td_does_not_have() {
    let mut td = Machine::from_config(&Config::new().vcpus(2).mapped(0x100000, 0x1000)).unwrap();
    let hash = td.state_hash();
    let mut r = info();
    let err = td.tdcall(2, &mut r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoVcpu);
    assert!(!err.message().is_empty());
    assert_eq!(r, info(), "the registers are untouched");
    assert_eq!(td.state_hash(), hash);
    assert!(td.tdvpr(2).is_err());
    assert_eq!(td.rdmsr(7, 0x808).unwrap_err().kind(), ErrorKind::NoVcpu);
}

#[test]
fn calls_from_inside_an_l2_source_are_refused_except_reads() {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x100000, 0x3000)).unwrap();
    let mut r = Regs {
        rax: tdx::leaf::TDG_VP_WR,
        rdx: tdx::field::l2_vmcs(1, 0x0000_0003_0000_2012),
        r8: 0x102000,
        r9: u64::MAX,
        ..Regs::default()
    };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!(r.rax, 0);
    let mut buffer = vec![0u8; 0x9A];
    buffer[0x80] = 2; // RFLAGS
    buffer[0x89] = 0x10; // RIP 0x1000
    assert_eq!(td.mem_write(0x101000, &buffer).unwrap(), softseam::Access::Done(()));
    let hash = td.state_hash();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    td.set_l2_callback(1, move |m, _, _| {
        let mut r = Regs { rax: tdx::leaf::TDG_VP_INFO, ..Regs::default() };
        let tdcall = m.tdcall(0, &mut r).map(|_| ()).map_err(|e| e.kind());
        let store = m.mem_write(0x100000, &[1]).map(|_| ()).map_err(|e| e.kind());
        let hash_inside = m.state_hash();
        log.lock().unwrap().push((tdcall, store, hash_inside));
        L2Reply::Finished
    })
    .unwrap();
    let mut r = Regs { rax: tdx::leaf::TDG_VP_ENTER, rcx: tdx::vp_enter::vm(1), rdx: 0x101000, ..Regs::default() };
    let err = td.tdcall(0, &mut r).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::L2, "an L2 source with nothing more to do fails the TDCALL");
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, Err(ErrorKind::Busy), "TDCALL from inside the callback");
    assert_eq!(seen[0].1, Err(ErrorKind::Busy), "store from inside the callback");
    assert_ne!(seen[0].2, 0, "state_hash works inside");
    assert_eq!(td.state_hash(), hash, "the failed TDG.VP.ENTER was undone as a whole");
    assert_eq!(td.vcpu_location(0).unwrap(), softseam::Location::L1);
}

#[test]
fn a_store_from_the_host_callback_is_refused() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    let seen = Arc::new(Mutex::new(None));
    let log = seen.clone();
    td.set_host_callback(move |m, exit| {
        let store = m.mem_write(0x100000, &[1]).map(|_| ()).map_err(|e| e.kind());
        let mut r = Regs { rax: tdx::leaf::TDH_VP_ENTER, rcx: m.tdvpr(exit.vcpu).unwrap(), ..Regs::default() };
        m.seamcall(&mut r).unwrap();
        *log.lock().unwrap() = Some(store);
    })
    .unwrap();
    let mut r = Regs { rax: 0, rcx: 0xFC00, r11: 0x77, ..Regs::default() };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    assert_eq!(*seen.lock().unwrap(), Some(Err(ErrorKind::Busy)));
}

#[test]
fn bad_arguments() {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x100000, 0x1000)).unwrap();
    assert_eq!(td.set_l2_callback(4, |_, _, _| L2Reply::Finished).unwrap_err().kind(), ErrorKind::Invalid);
    assert_eq!(td.set_l2_event_limit(0).unwrap_err().kind(), ErrorKind::Invalid);
    assert!(td.set_l2_program(1, "no-such-program").unwrap_err().code() < 0);
    let err = td.set_l2_events_file(1, "/nonexistent/softseam/events.jsonl").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::File);
    // A trace must start before the first call that changes the machine.
    assert_eq!(td.mem_write(0x100000, &[1]).unwrap(), softseam::Access::Done(()));
    let path = std::env::temp_dir().join(format!("softseam-misuse-{}.trace.jsonl", std::process::id()));
    assert_eq!(td.trace_start(&path, softseam::TraceFormat::Json, None).unwrap_err().kind(), ErrorKind::State);
    // The format contradicting the name.
    let mut fresh = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    assert_eq!(fresh.trace_start(&path, softseam::TraceFormat::Binary, None).unwrap_err().kind(), ErrorKind::Invalid);
}

#[test]
fn callbacks_are_freed_when_replaced_and_with_the_machine() {
    let token = Arc::new(());
    let mut td = Machine::from_config(&Config::new().num_l2_vms(2).mapped(0x100000, 0x1000)).unwrap();
    let (a, b, c) = (token.clone(), token.clone(), token.clone());
    td.set_l2_callback(1, move |_, _, _| {
        let _ = &a;
        L2Reply::Finished
    })
    .unwrap();
    td.set_l2_callback(2, move |_, _, _| {
        let _ = &b;
        L2Reply::Finished
    })
    .unwrap();
    td.set_host_callback(move |_, _| {
        let _ = &c;
    })
    .unwrap();
    assert_eq!(Arc::strong_count(&token), 4);
    td.set_l2_program(1, "l2-boot").unwrap();
    assert_eq!(Arc::strong_count(&token), 3, "replacing VM1's source drops its callback");
    td.clear_host_callback().unwrap();
    assert_eq!(Arc::strong_count(&token), 2);
    drop(td);
    assert_eq!(Arc::strong_count(&token), 1, "dropping the machine drops the rest");
}

#[test]
fn a_panic_in_a_callback_fails_the_call_and_is_rethrown() {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x100000, 0x3000)).unwrap();
    let mut r = Regs {
        rax: tdx::leaf::TDG_VP_WR,
        rdx: tdx::field::l2_vmcs(1, 0x0000_0003_0000_2012),
        r8: 0x102000,
        r9: u64::MAX,
        ..Regs::default()
    };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    let mut buffer = vec![0u8; 0x9A];
    buffer[0x80] = 2;
    buffer[0x89] = 0x10;
    assert_eq!(td.mem_write(0x101000, &buffer).unwrap(), softseam::Access::Done(()));
    td.set_l2_callback(1, |_, _, _| panic!("L2 source bug")).unwrap();
    let hash = td.state_hash();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut r = Regs { rax: tdx::leaf::TDG_VP_ENTER, rcx: tdx::vp_enter::vm(1), rdx: 0x101000, ..Regs::default() };
        let _ = td.tdcall(0, &mut r);
    }));
    let payload = caught.expect_err("the panic reaches the caller");
    assert_eq!(payload.downcast_ref::<&str>().copied(), Some("L2 source bug"));
    assert_eq!(td.state_hash(), hash, "the TDG.VP.ENTER was undone");
    let mut r = info();
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done, "the machine is usable after");
    assert_eq!(r.rax, 0);
}

#[test]
fn machine_is_send() {
    fn need_send<T: Send>(_: &T) {}
    let td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    need_send(&td);
    // And usable from another thread, one at a time.
    let hash = std::thread::spawn(move || {
        let mut td = td;
        let mut r = info();
        assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
        td.state_hash()
    })
    .join()
    .unwrap();
    assert_ne!(hash, 0);
}

#[test]
fn events_that_do_not_fit_fail_the_tdcall() {
    let mut td = Machine::from_config(&Config::new().num_l2_vms(1).mapped(0x100000, 0x3000)).unwrap();
    let mut r = Regs {
        rax: tdx::leaf::TDG_VP_WR,
        rdx: tdx::field::l2_vmcs(1, tdx::vmcs::VIRTUAL_APIC_ADDRESS),
        r8: 0x102000,
        r9: u64::MAX,
        ..Regs::default()
    };
    assert_eq!(td.tdcall(0, &mut r).unwrap(), Completion::Done);
    let mut buffer = vec![0u8; 0x9A];
    buffer[0x80] = 2;
    buffer[0x89] = 0x10;
    assert_eq!(td.mem_write(0x101000, &buffer).unwrap(), softseam::Access::Done(()));
    let hash = td.state_hash();
    td.set_l2_callback(1, |_, _, events| {
        // A valid event, then padding one byte past the room: the reply becomes a failure although the source
        // says Events (were the padding cut off instead, "cpuid" alone would run and the TDCALL complete).
        events.push_str("\"cpuid\"");
        let padding = " ".repeat(events.capacity() - "\"cpuid\"".len() + 1);
        events.push_str(&padding);
        L2Reply::Events
    })
    .unwrap();
    let mut r = Regs { rax: tdx::leaf::TDG_VP_ENTER, rcx: tdx::vp_enter::vm(1), rdx: 0x101000, ..Regs::default() };
    assert_eq!(td.tdcall(0, &mut r).unwrap_err().kind(), ErrorKind::L2);
    assert_eq!(td.state_hash(), hash, "undone as a whole");
}
