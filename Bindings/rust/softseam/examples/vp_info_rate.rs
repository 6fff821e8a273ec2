//! TDG.VP.INFO calls per second from a Rust loop through `Machine::tdcall` — the figure to set beside
//! `softseam bench --only c_abi_tdcall` (the same TDCALL from a C loop). Build it in release:
//!
//!     cargo run --release --offline --example vp_info_rate [CALLS]
//!
//! A timing loop (wall clock) is fine here: it measures, it decides nothing.
use softseam::{tdx, Completion, Config, Machine, Regs};
use std::time::Instant;

fn main() {
    let calls: u64 = std::env::args().nth(1).map(|s| s.parse().expect("CALLS: a number")).unwrap_or(20_000_000);
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).expect("the TD");
    let mut regs = Regs::default();
    // Warm-up, then the measured loop; every call checks its result as a real L1 would.
    for _ in 0..calls / 10 {
        regs.rax = tdx::leaf::TDG_VP_INFO;
        assert_eq!(td.tdcall(0, &mut regs), Ok(Completion::Done));
    }
    let start = Instant::now();
    let mut gpaw_sum = 0u64;
    for _ in 0..calls {
        regs.rax = tdx::leaf::TDG_VP_INFO;
        if td.tdcall(0, &mut regs) != Ok(Completion::Done) || regs.rax != 0 {
            panic!("TDG.VP.INFO failed: {:?}", regs);
        }
        gpaw_sum += regs.rcx;
    }
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(gpaw_sum, 48 * calls);
    println!(
        "TDG.VP.INFO through softseam::Machine::tdcall: {} calls in {:.3} s = {:.2} M calls/s ({:.1} ns/call)",
        calls,
        seconds,
        calls as f64 / seconds / 1e6,
        seconds * 1e9 / calls as f64
    );
}
