import CSoftSEAM
import SEAMTypes

// The Linux-compatible seam: `struct tdx_module_args` and the kernel's three TDCALL helpers, acting on the
// machine and vCPU the calling thread bound with softseam_bind_current.

@c public func softseam_bind_current(_ m: OpaquePointer?, _ vcpu: UInt32) {
    let t = ThreadState.current
    t.bound = unsafe Handle.session(m)
    t.vcpu = vcpu
    if unsafe m != nil && t.bound == nil { _ = unsafe Handle.refuse(m, "softseam_bind_current") }
}

/// What the helpers return when the TDCALL could not be made: all ones is no TDX status.
private let misuse: UInt64 = ~0

/// The kernel's TDX_MODULE_CALL for a TDCALL: RAX = `fn`; RCX, RDX, R8–R11 from `args`, and with `saved`
/// R12–R15, RBX, RDI, RSI too (every other register 0); after the call RCX, RDX, R8–R11 are written back
/// when `ret`, and with `saved` the other seven too. Returns RAX.
private func moduleCall(
    _ fn: UInt64, _ args: UnsafeMutablePointer<tdx_module_args>?, ret: Bool, saved: Bool, _ name: String
) -> UInt64 {
    let t = ThreadState.current
    guard let s = t.bound else {
        _ = t.fail(SOFTSEAM_EINVAL, "\(name): no machine is bound to this thread (softseam_bind_current)")
        return misuse
    }
    guard let args = unsafe args else {
        _ = t.fail(SOFTSEAM_EINVAL, "\(name): args is NULL")
        return misuse
    }
    let a = unsafe args.pointee
    var regs = softseam_regs_t()
    (regs.rax, regs.rcx, regs.rdx, regs.r8, regs.r9, regs.r10, regs.r11) = (fn, a.rcx, a.rdx, a.r8, a.r9, a.r10, a.r11)
    if saved {
        (regs.r12, regs.r13, regs.r14, regs.r15, regs.rbx, regs.rdi, regs.rsi) =
            (a.r12, a.r13, a.r14, a.r15, a.rbx, a.rdi, a.rsi)
    }
    var rc = unsafe softseam_tdcall(Handle.opaque(s), t.vcpu, &regs)
    // Interrupted (SOFTSEAM_INTERRUPTED): on hardware the kernel takes the interrupt and the CPU executes the
    // TDCALL again (RIP was not advanced), so the helper never sees it. Each call makes progress (a 2M ACCEPT
    // at most 512 calls, an INVVPID list one entry a call), so this ends even while the interrupt stays pending.
    while rc == SOFTSEAM_INTERRUPTED { rc = unsafe softseam_tdcall(Handle.opaque(s), t.vcpu, &regs) }
    guard rc >= 0 else { return misuse }
    guard rc == SOFTSEAM_OK else {
        // The kernel's helpers never see this: on hardware the host re-enters and the TDCALL runs again.
        _ = t.fail(
            SOFTSEAM_ESTATE,
            "\(name): the TDCALL TD-exited (exit reason \(regs.rax & 0xFFFF_FFFF)) and the host did not resume L1")
        return misuse
    }
    if ret {
        (unsafe args.pointee.rcx, unsafe args.pointee.rdx) = (regs.rcx, regs.rdx)
        (unsafe args.pointee.r8, unsafe args.pointee.r9, unsafe args.pointee.r10, unsafe args.pointee.r11) =
            (regs.r8, regs.r9, regs.r10, regs.r11)
        if saved {
            (unsafe args.pointee.r12, unsafe args.pointee.r13, unsafe args.pointee.r14, unsafe args.pointee.r15) =
                (regs.r12, regs.r13, regs.r14, regs.r15)
            (unsafe args.pointee.rbx, unsafe args.pointee.rdi, unsafe args.pointee.rsi) = (regs.rbx, regs.rdi, regs.rsi)
        }
    }
    return regs.rax
}

@c public func __tdcall(_ fn: UInt64, _ args: UnsafeMutablePointer<tdx_module_args>?) -> UInt64 {
    unsafe moduleCall(fn, args, ret: false, saved: false, "__tdcall")
}

@c public func __tdcall_ret(_ fn: UInt64, _ args: UnsafeMutablePointer<tdx_module_args>?) -> UInt64 {
    unsafe moduleCall(fn, args, ret: true, saved: false, "__tdcall_ret")
}

@c public func __tdcall_saved_ret(_ fn: UInt64, _ args: UnsafeMutablePointer<tdx_module_args>?) -> UInt64 {
    unsafe moduleCall(fn, args, ret: true, saved: true, "__tdcall_saved_ret")
}
