//! The -sys layer against the installed header: a C probe compiled against softseam.h (and softseam_defs.h)
//! prints the size of every structure `softseam::sys` declares, the offset and size of each of their fields,
//! and the value of every constant the crate declares; this test compares them with Rust's view. It also
//! checks that `sys` declares exactly the functions softseam.h declares.

use softseam::sys::*;
use softseam::tdx;
use std::collections::BTreeMap;
use std::mem::{size_of, MaybeUninit};
use std::path::PathBuf;
use std::process::Command;

/// One line the probe prints and the value Rust has for it.
struct Expect {
    c_code: String,
    key: String,
    rust: u64,
}

macro_rules! offset_and_size {
    ($t:ty, $f:ident) => {{
        let u = MaybeUninit::<$t>::uninit();
        let base = u.as_ptr();
        let field = unsafe { std::ptr::addr_of!((*base).$f) };
        let offset = field as usize - base as usize;
        fn size_of_pointee<T>(_: *const T) -> usize {
            size_of::<T>()
        }
        (offset, size_of_pointee(field))
    }};
}

/// Expectations for a structure: its size, and offset and size of each listed field; the listed fields must
/// tile the structure (gaps only for alignment), so a field missing from a list fails too.
macro_rules! structure {
    ($out:ident, $c:expr, $t:ty, [$($f:ident $(= $cf:ident)?),* $(,)?]) => {{
        let size = size_of::<$t>();
        $out.push(Expect { c_code: format!("(unsigned long long)sizeof({})", $c), key: format!("sizeof {}", $c), rust: size as u64 });
        let mut fields: Vec<(usize, usize, &str)> = Vec::new();
        $(
            let c_field = { let _name = stringify!($f); $( let _name = stringify!($cf); )? _name };
            let (offset, fsize) = offset_and_size!($t, $f);
            $out.push(Expect { c_code: format!("(unsigned long long)offsetof({}, {})", $c, c_field), key: format!("offsetof {}.{}", $c, c_field), rust: offset as u64 });
            $out.push(Expect { c_code: format!("(unsigned long long)sizeof((({} *)0)->{})", $c, c_field), key: format!("sizeof {}.{}", $c, c_field), rust: fsize as u64 });
            fields.push((offset, fsize, stringify!($f)));
        )*
        fields.sort();
        let mut end = 0usize;
        for &(offset, fsize, name) in &fields {
            assert!(offset >= end && offset - end < 8, "{}: a field missing from the list before {} (gap {}..{})", $c, name, end, offset);
            end = offset + fsize;
        }
        assert!(size >= end && size - end < 8, "{}: fields missing at the end ({} of {} bytes listed)", $c, end, size);
    }};
}

macro_rules! constant {
    ($out:ident, $c:expr, $v:expr) => {
        $out.push(Expect {
            c_code: format!("(unsigned long long)({})", $c),
            key: format!("{}", $c),
            rust: ($v) as i64 as u64,
        });
    };
}

fn expectations() -> Vec<Expect> {
    let mut e = Vec::new();
    structure!(
        e,
        "softseam_regs_t",
        softseam_regs_t,
        [rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15]
    );
    structure!(e, "softseam_td_exit_t", softseam_td_exit_t, [vcpu, vm, exit_reason, reserved, regs]);
    structure!(e, "softseam_delivery_t", softseam_delivery_t, [vm, vector, type_ = type, via, has_error_code, error_code, count]);
    structure!(
        e,
        "softseam_l2_state_t",
        softseam_l2_state_t,
        [
            vcpu,
            vm,
            gprs,
            rip,
            rflags,
            cr0,
            cr3,
            cr4,
            efer,
            cs_selector,
            cs_base,
            cs_limit,
            cs_access_rights,
            delivering,
            reserved,
            delivery
        ]
    );
    structure!(
        e,
        "struct tdx_module_args",
        tdx_module_args,
        [rcx, rdx, r8, r9, r10, r11, r12, r13, r14, r15, rbx, rdi, rsi]
    );
    structure!(
        e,
        "struct softseam_l2_enter_guest_state",
        softseam_l2_enter_guest_state,
        [
            rax,
            rcx,
            rdx,
            rbx,
            rsp,
            rbp,
            rsi,
            rdi,
            r8,
            r9,
            r10,
            r11,
            r12,
            r13,
            r14,
            r15,
            rflags,
            rip,
            ssp,
            interrupt_status
        ]
    );

    constant!(e, "SOFTSEAM_ABI_VERSION", SOFTSEAM_ABI_VERSION);
    for &(name, v) in &[
        ("SOFTSEAM_OK", SOFTSEAM_OK),
        ("SOFTSEAM_TD_EXIT", SOFTSEAM_TD_EXIT),
        ("SOFTSEAM_VE", SOFTSEAM_VE),
        ("SOFTSEAM_DF", SOFTSEAM_DF),
        ("SOFTSEAM_INTERRUPTED", SOFTSEAM_INTERRUPTED),
        ("SOFTSEAM_EINVAL", SOFTSEAM_EINVAL),
        ("SOFTSEAM_ENOVCPU", SOFTSEAM_ENOVCPU),
        ("SOFTSEAM_ESTATE", SOFTSEAM_ESTATE),
        ("SOFTSEAM_EBUSY", SOFTSEAM_EBUSY),
        ("SOFTSEAM_EMEMORY", SOFTSEAM_EMEMORY),
        ("SOFTSEAM_EL2", SOFTSEAM_EL2),
        ("SOFTSEAM_EFILE", SOFTSEAM_EFILE),
        ("SOFTSEAM_ECONFIG", SOFTSEAM_ECONFIG),
        ("SOFTSEAM_ELIMIT", SOFTSEAM_ELIMIT),
        ("SOFTSEAM_ESTOPPED", SOFTSEAM_ESTOPPED),
        ("SOFTSEAM_WAITS_FOR_HOST", SOFTSEAM_WAITS_FOR_HOST),
        ("SOFTSEAM_TRACE_JSON", SOFTSEAM_TRACE_JSON),
        ("SOFTSEAM_TRACE_BINARY", SOFTSEAM_TRACE_BINARY),
    ] {
        constant!(e, name, v);
    }
    for &(name, v) in &[
        ("SOFTSEAM_VIA_VIRTUAL_INTERRUPT", SOFTSEAM_VIA_VIRTUAL_INTERRUPT),
        ("SOFTSEAM_VIA_ENTRY_INJECTION", SOFTSEAM_VIA_ENTRY_INJECTION),
        ("SOFTSEAM_VIA_REINJECTION", SOFTSEAM_VIA_REINJECTION),
        ("SOFTSEAM_VIA_PENDING_NMI", SOFTSEAM_VIA_PENDING_NMI),
        ("SOFTSEAM_VIA_UNKNOWN", SOFTSEAM_VIA_UNKNOWN),
    ] {
        constant!(e, name, v);
    }
    for &(name, v) in &[("SOFTSEAM_IRQ_IOAPIC", SOFTSEAM_IRQ_IOAPIC), ("SOFTSEAM_IRQ_MSI", SOFTSEAM_IRQ_MSI)] {
        constant!(e, name, v);
    }
    for &(name, v) in &[
        ("SOFTSEAM_IRTE_BAD_GPA", SOFTSEAM_IRTE_BAD_GPA),
        ("SOFTSEAM_IRTE_NOT_SHARED", SOFTSEAM_IRTE_NOT_SHARED),
        ("SOFTSEAM_IRTE_BAD_HEADER", SOFTSEAM_IRTE_BAD_HEADER),
        ("SOFTSEAM_IRTE_BAD_INDEX", SOFTSEAM_IRTE_BAD_INDEX),
        ("SOFTSEAM_IRTE_BAD_VECTOR", SOFTSEAM_IRTE_BAD_VECTOR),
        ("SOFTSEAM_IRTE_FULL", SOFTSEAM_IRTE_FULL),
    ] {
        constant!(e, name, v);
    }
    constant!(e, "SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE", SOFTSEAM_L2_ENTER_GUEST_STATE_SIZE);

    use tdx::leaf::*;
    for &(name, v) in &[
        ("TDG_VP_VMCALL", TDG_VP_VMCALL),
        ("TDG_VP_INFO", TDG_VP_INFO),
        ("TDG_MR_RTMR_EXTEND", TDG_MR_RTMR_EXTEND),
        ("TDG_VP_VEINFO_GET", TDG_VP_VEINFO_GET),
        ("TDG_MR_REPORT", TDG_MR_REPORT),
        ("TDG_VP_CPUIDVE_SET", TDG_VP_CPUIDVE_SET),
        ("TDG_MEM_PAGE_ACCEPT", TDG_MEM_PAGE_ACCEPT),
        ("TDG_VM_RD", TDG_VM_RD),
        ("TDG_VM_WR", TDG_VM_WR),
        ("TDG_VP_RD", TDG_VP_RD),
        ("TDG_VP_WR", TDG_VP_WR),
        ("TDG_SYS_RD", TDG_SYS_RD),
        ("TDG_SYS_RDALL", TDG_SYS_RDALL),
        ("TDG_SERVTD_RD", TDG_SERVTD_RD),
        ("TDG_SERVTD_WR", TDG_SERVTD_WR),
        ("TDG_MR_VERIFYREPORT", TDG_MR_VERIFYREPORT),
        ("TDG_MEM_PAGE_ATTR_RD", TDG_MEM_PAGE_ATTR_RD),
        ("TDG_MEM_PAGE_ATTR_WR", TDG_MEM_PAGE_ATTR_WR),
        ("TDG_VP_ENTER", TDG_VP_ENTER),
        ("TDG_VP_INVEPT", TDG_VP_INVEPT),
        ("TDG_VP_INVVPID", TDG_VP_INVVPID),
        ("TDH_VP_ENTER", TDH_VP_ENTER),
        ("TDH_MEM_PAGE_ADD", TDH_MEM_PAGE_ADD),
        ("TDH_MEM_SEPT_ADD", TDH_MEM_SEPT_ADD),
        ("TDH_MEM_PAGE_AUG", TDH_MEM_PAGE_AUG),
        ("TDH_MEM_RANGE_BLOCK", TDH_MEM_RANGE_BLOCK),
        ("TDH_MNG_RD", TDH_MNG_RD),
        ("TDH_MNG_WR", TDH_MNG_WR),
        ("TDH_MR_FINALIZE", TDH_MR_FINALIZE),
        ("TDH_VP_RD", TDH_VP_RD),
        ("TDH_MEM_PAGE_REMOVE", TDH_MEM_PAGE_REMOVE),
        ("TDH_SYS_RD", TDH_SYS_RD),
        ("TDH_MEM_TRACK", TDH_MEM_TRACK),
        ("TDH_MEM_RANGE_UNBLOCK", TDH_MEM_RANGE_UNBLOCK),
        ("TDH_VP_WR", TDH_VP_WR),
    ] {
        constant!(e, name, v);
    }
    use tdx::status::*;
    for &(name, v) in &[
        ("TDX_SUCCESS", TDX_SUCCESS),
        ("TDX_OPERAND_INVALID", TDX_OPERAND_INVALID),
        ("TDX_OPERAND_BUSY", TDX_OPERAND_BUSY),
        ("TDX_VCPU_STATE_INCORRECT", TDX_VCPU_STATE_INCORRECT),
        ("TDX_NO_VALID_VE_INFO", TDX_NO_VALID_VE_INFO),
        ("TDX_EPT_WALK_FAILED", TDX_EPT_WALK_FAILED),
        ("TDX_EPT_ENTRY_STATE_INCORRECT", TDX_EPT_ENTRY_STATE_INCORRECT),
        ("TDX_PAGE_ALREADY_ACCEPTED", TDX_PAGE_ALREADY_ACCEPTED),
        ("TDX_PAGE_SIZE_MISMATCH", TDX_PAGE_SIZE_MISMATCH),
        ("TDX_L2_SEPT_WALK_FAILED", TDX_L2_SEPT_WALK_FAILED),
        ("TDX_PAGE_ATTR_INVALID", TDX_PAGE_ATTR_INVALID),
        ("TDX_METADATA_FIELD_ID_INCORRECT", TDX_METADATA_FIELD_ID_INCORRECT),
        ("TDX_METADATA_FIELD_NOT_WRITABLE", TDX_METADATA_FIELD_NOT_WRITABLE),
        ("TDX_METADATA_FIELD_NOT_READABLE", TDX_METADATA_FIELD_NOT_READABLE),
        ("TDX_L2_EXIT_HOST_ROUTED_ASYNC", TDX_L2_EXIT_HOST_ROUTED_ASYNC),
        ("TDX_L2_EXIT_HOST_ROUTED_TDVMCALL", TDX_L2_EXIT_HOST_ROUTED_TDVMCALL),
        ("TDX_L2_EXIT_PENDING_INTERRUPT", TDX_L2_EXIT_PENDING_INTERRUPT),
        ("TDX_PENDING_INTERRUPT", TDX_PENDING_INTERRUPT),
    ] {
        constant!(e, name, v);
    }
    let rax = 0xC000_0100_0000_0002u64;
    constant!(e, format!("TDX_STATUS_CLASS(0x{:X}ULL)", rax), class(rax));
    constant!(e, format!("TDX_STATUS_DETAILS(0x{:X}ULL)", rax), details(rax));
    constant!(e, format!("TDX_STATUS_IS_ERROR(0x{:X}ULL)", rax), is_error(rax));
    use tdx::gpa_attr;
    for &(name, v) in &[
        ("TDX_GPA_ATTR_R", gpa_attr::R),
        ("TDX_GPA_ATTR_W", gpa_attr::W),
        ("TDX_GPA_ATTR_XS", gpa_attr::XS),
        ("TDX_GPA_ATTR_XU", gpa_attr::XU),
        ("TDX_GPA_ATTR_VGP", gpa_attr::VGP),
        ("TDX_GPA_ATTR_PWA", gpa_attr::PWA),
        ("TDX_GPA_ATTR_SSS", gpa_attr::SSS),
        ("TDX_GPA_ATTR_SVE", gpa_attr::SVE),
        ("TDX_GPA_ATTR_VALID", gpa_attr::VALID),
        ("TDX_ATTR_FLAGS_INVEPT", gpa_attr::FLAGS_INVEPT),
    ] {
        constant!(e, name, v);
    }
    for vm in 0..4u32 {
        constant!(e, format!("TDX_GPA_ATTR_FOR_VM({}, 0x800F)", vm), gpa_attr::for_vm(vm, 0x800F));
        constant!(
            e,
            format!("TDX_GPA_ATTR_OF_VM(0x8007800380018000ULL, {})", vm),
            gpa_attr::of_vm(0x8007_8003_8001_8000, vm)
        );
    }
    use tdx::field;
    constant!(e, "TDX_MD_TD_NUM_L2_VMS", field::TD_NUM_L2_VMS);
    constant!(e, "TDX_MD_TD_GPAW", field::TD_GPAW);
    constant!(e, "TDX_MD_TD_TD_CTLS", field::TD_TD_CTLS);
    for vm in 1..4u32 {
        constant!(e, format!("TDX_MD_VP_L2_CTLS({})", vm), field::vp_l2_ctls(vm));
        constant!(e, format!("TDX_MD_VP_TSC_DEADLINE({})", vm), field::vp_tsc_deadline(vm));
        constant!(
            e,
            format!("TDX_MD_L2_VMCS({}, TDX_L2_VMCS_GUEST_CR0)", vm),
            field::l2_vmcs(vm, 0x0000_0003_0000_6800)
        );
        constant!(e, format!("TDX_MD_L2_MSR_BITMAP({}, 0x181)", vm), field::l2_msr_bitmap(vm, 0x181));
        constant!(e, format!("TDG_VP_ENTER_VM({})", vm), tdx::vp_enter::vm(vm));
    }
    for &id in &[0x0000_0000_0000_0000u64, 0x0000_0001_0000_0000, 0x0000_0002_0000_4000, 0x0000_0003_0000_2012] {
        constant!(e, format!("TDX_MD_ELEMENT_MASK(0x{:X}ULL)", id), field::element_mask(id));
    }
    constant!(e, "TDX_L2_EXIT_REASON(0x123456789ABCDEF0ULL)", tdx::vp_enter::exit_reason(0x1234_5678_9ABC_DEF0));
    constant!(
        e,
        "TDX_L2_EXIT_INSTRUCTION_LENGTH(0x123456789ABCDEF0ULL)",
        tdx::vp_enter::instruction_length(0x1234_5678_9ABC_DEF0)
    );
    constant!(e, "TDH_VP_ENTER_RESUME_L1", tdx::vp_enter::TDH_VP_ENTER_RESUME_L1);
    use tdx::vmcs;
    for &(name, v) in &[
        ("VIRTUAL_APIC_ADDRESS", vmcs::VIRTUAL_APIC_ADDRESS),
        ("POSTED_INTR_DESC_ADDRESS", vmcs::POSTED_INTR_DESC_ADDRESS),
        ("GUEST_IA32_EFER", vmcs::GUEST_IA32_EFER),
        ("PIN_BASED_CONTROLS", vmcs::PIN_BASED_CONTROLS),
        ("PRIMARY_PROC_BASED_CONTROLS", vmcs::PRIMARY_PROC_BASED_CONTROLS),
        ("VM_ENTRY_CONTROLS", vmcs::VM_ENTRY_CONTROLS),
        ("VM_ENTRY_INTR_INFO", vmcs::VM_ENTRY_INTR_INFO),
        ("SECONDARY_PROC_BASED_CONTROLS", vmcs::SECONDARY_PROC_BASED_CONTROLS),
        ("GUEST_ES_SELECTOR", vmcs::GUEST_ES_SELECTOR),
        ("GUEST_ES_LIMIT", vmcs::GUEST_ES_LIMIT),
        ("GUEST_ES_AR", vmcs::GUEST_ES_AR),
        ("GUEST_ES_BASE", vmcs::GUEST_ES_BASE),
        ("GUEST_GDTR_LIMIT", vmcs::GUEST_GDTR_LIMIT),
        ("GUEST_GDTR_BASE", vmcs::GUEST_GDTR_BASE),
        ("CR0_GUEST_HOST_MASK", vmcs::CR0_GUEST_HOST_MASK),
        ("CR4_GUEST_HOST_MASK", vmcs::CR4_GUEST_HOST_MASK),
        ("CR0_READ_SHADOW", vmcs::CR0_READ_SHADOW),
        ("CR4_READ_SHADOW", vmcs::CR4_READ_SHADOW),
        ("GUEST_CR0", vmcs::GUEST_CR0),
        ("GUEST_CR3", vmcs::GUEST_CR3),
        ("GUEST_CR4", vmcs::GUEST_CR4),
        ("GUEST_RSP", vmcs::GUEST_RSP),
        ("GUEST_RIP", vmcs::GUEST_RIP),
        ("GUEST_RFLAGS", vmcs::GUEST_RFLAGS),
    ] {
        constant!(e, format!("TDX_L2_VMCS_{}", name), v);
    }
    let segments = ["ES", "CS", "SS", "DS", "FS", "GS"];
    for (seg, name) in segments.iter().enumerate() {
        for &(kind, es) in &[
            ("SELECTOR", vmcs::GUEST_ES_SELECTOR),
            ("LIMIT", vmcs::GUEST_ES_LIMIT),
            ("AR", vmcs::GUEST_ES_AR),
            ("BASE", vmcs::GUEST_ES_BASE),
        ] {
            constant!(e, format!("TDX_L2_VMCS_GUEST_{}_{}", name, kind), vmcs::segment(es, seg as u64));
        }
    }
    use tdx::exit_reason as x;
    for &(name, v) in &[
        ("VMX_EXIT_REASON_CPUID", x::CPUID),
        ("VMX_EXIT_REASON_HLT", x::HLT),
        ("VMX_EXIT_REASON_CR_ACCESS", x::CR_ACCESS),
        ("VMX_EXIT_REASON_IO_INSTRUCTION", x::IO_INSTRUCTION),
        ("VMX_EXIT_REASON_RDMSR", x::RDMSR),
        ("VMX_EXIT_REASON_WRMSR", x::WRMSR),
        ("VMX_EXIT_REASON_ENTRY_FAIL_GUEST_STATE", x::ENTRY_FAIL_GUEST_STATE),
        ("VMX_EXIT_REASON_GDTR_IDTR_ACCESS", x::GDTR_IDTR_ACCESS),
        ("VMX_EXIT_REASON_EPT_VIOLATION", x::EPT_VIOLATION),
        ("VMX_EXIT_REASON_PREEMPTION_TIMER", x::PREEMPTION_TIMER),
        ("VMX_EXIT_REASON_TDCALL", x::TDCALL),
        ("VMX_EXIT_REASON_ENTRY_FAILURE", x::ENTRY_FAILURE),
        ("TDX_EEQ_TYPE_PENDING_EPT_VIOLATION", x::EEQ_TYPE_PENDING_EPT_VIOLATION),
    ] {
        constant!(e, name, v);
    }
    e
}

fn include_dir() -> PathBuf {
    PathBuf::from(env!("SOFTSEAM_INCLUDE_DIR"))
}

#[test]
fn structures_and_constants_match_the_header() {
    let expect = expectations();
    let dir = std::env::temp_dir().join(format!("softseam-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = String::from("#include <stdio.h>\n#include <stddef.h>\n#include \"softseam.h\"\n#include \"softseam_defs.h\"\nint main(void) {\n");
    for x in &expect {
        c.push_str(&format!("    printf(\"%s=%llu\\n\", \"{}\", {});\n", x.key, x.c_code));
    }
    c.push_str("    return 0;\n}\n");
    let src = dir.join("probe.c");
    let exe = dir.join("probe");
    std::fs::write(&src, c).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .arg("-std=c11")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(include_dir())
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "the probe did not compile ({})", src.display());
    let out = Command::new(&exe).output().expect("run the probe");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let c_values: BTreeMap<&str, u64> = text
        .lines()
        .map(|l| {
            let (k, v) = l.split_at(l.rfind('=').unwrap());
            (k, v[1..].parse::<u64>().unwrap())
        })
        .collect();
    let mut wrong = Vec::new();
    for x in &expect {
        let c = c_values[x.key.as_str()];
        if c != x.rust {
            wrong.push(format!("{}: C {} (0x{:X}), Rust {} (0x{:X})", x.key, c, c, x.rust, x.rust));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(wrong.is_empty(), "the crate disagrees with the header:\n{}", wrong.join("\n"));
    assert!(expect.len() > 200, "{} checks", expect.len());
}

/// The function names a header declares: prototypes start at the line's beginning with a type and end a
/// name with `(`.
fn header_functions(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let starts_code = line.chars().next().map_or(false, |c| c.is_ascii_alphabetic());
        if !starts_code || line.starts_with("typedef") || line.starts_with("struct") || line.starts_with("extern") {
            continue;
        }
        if let Some(paren) = line.find('(') {
            let head = &line[..paren];
            let name: String = head.rsplit([' ', '*']).next().unwrap_or("").to_string();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names.sort();
    names
}

#[test]
fn sys_declares_exactly_the_header_functions() {
    let header = std::fs::read_to_string(include_dir().join("softseam.h")).unwrap();
    let from_header = header_functions(&header);
    let sys = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/sys.rs")).unwrap();
    let mut from_sys: Vec<String> = sys
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub fn "))
        .map(|rest| rest[..rest.find('(').unwrap()].to_string())
        .collect();
    from_sys.sort();
    assert!(from_header.len() >= 40, "{:?}", from_header);
    assert_eq!(from_sys, from_header);
}
