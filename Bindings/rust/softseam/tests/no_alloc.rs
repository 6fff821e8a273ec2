//! The crate adds no allocation per TDCALL: a counting global allocator sees none in a loop of TDCALLs
//! through `Machine::tdcall` (the library's own memory is not Rust's allocator's and is not counted).

use softseam::{tdx, Completion, Config, Machine, Regs};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
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
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let mut ok = 0u32;
    for _ in 0..10_000 {
        regs.rax = tdx::leaf::TDG_VP_INFO;
        if td.tdcall(0, &mut regs) == Ok(Completion::Done) && regs.rax == 0 {
            ok += 1;
        }
    }
    let during = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(ok, 10_000);
    assert_eq!(during, 0, "allocations in 10,000 TDCALLs");
    // The counter counts: an error (its message is a String) allocates.
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    assert!(td.tdcall(9, &mut regs).is_err());
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
}
