//! The crate adds no allocation per TDCALL: a counting global allocator sees none in a loop of TDCALLs
//! through `Machine::tdcall` (the library's own memory is not Rust's allocator's and is not counted).

use softseam::{tdx, Completion, Config, Machine, Regs};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;
thread_local! {
    // Per thread: the test harness's main thread prints the test's name while the test's thread runs, and
    // its allocations were counted as the loop's (4 in one `make test` run).
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(|a| a.get())
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn tdcalls_allocate_nothing() {
    let mut td = Machine::from_config(&Config::new().mapped(0x100000, 0x1000)).unwrap();
    let mut regs = Regs::default();
    let before = allocations();
    let mut ok = 0u32;
    for _ in 0..10_000 {
        regs.rax = tdx::leaf::TDG_VP_INFO;
        if td.tdcall(0, &mut regs) == Ok(Completion::Done) && regs.rax == 0 {
            ok += 1;
        }
    }
    let during = allocations() - before;
    assert_eq!(ok, 10_000);
    assert_eq!(during, 0, "allocations in 10,000 TDCALLs");
    // The counter counts: an error (its message is a String) allocates.
    let before = allocations();
    assert!(td.tdcall(9, &mut regs).is_err());
    assert!(allocations() > before);
}
