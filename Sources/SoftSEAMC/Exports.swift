import CSoftSEAM
import SEAMCore
import SEAMFormats
import SEAMTypes

// The contract of DESIGN.md ("C ABI contract"), as declared in CSoftSEAM/include/softseam.h. Each function
// checks its handle and pointers first: misuse is a negative result and a message, never a trap.

@c public func softseam_abi_version() -> UInt32 { UInt32(SOFTSEAM_ABI_VERSION) }

@c public func softseam_create(
    _ configJSON: UnsafePointer<CChar>?, _ error: UnsafeMutablePointer<CChar>?, _ errorLength: UInt
) -> OpaquePointer? {
    func refuse(_ message: String) -> OpaquePointer? {
        _ = ThreadState.fail(SOFTSEAM_ECONFIG, message)
        if let error = unsafe error, errorLength > 0 {
            let bytes = Array(message.utf8.prefix(Int(min(errorLength - 1, UInt(Int.max)))))
            for (i, b) in bytes.enumerated() { unsafe error[i] = CChar(bitPattern: b) }
            unsafe error[bytes.count] = 0
        }
        return nil
    }
    guard let configJSON = unsafe configJSON else { return unsafe refuse("softseam_create: the config JSON is NULL") }
    guard let text = unsafe String(validatingCString: configJSON) else {
        return unsafe refuse("softseam_create: the config JSON is not UTF-8")
    }
    let config: MachineConfig
    do { config = try ConfigDecoder.decode(text, file: "config") } catch {
        return unsafe refuse("softseam_create: \(error.description)")
    }
    let s = Session(config: config)
    return unsafe Handle.retain(s)
}

@c public func softseam_destroy(_ m: OpaquePointer?) {
    guard let m = unsafe m else { return }
    // Freed only when the body ran: not when the machine is in use (a destroy now would free it under the other
    // user, SOFTSEAM_EBUSY), nor for a handle a debug build does not know (SOFTSEAM_EINVAL). A trace that
    // cannot be written does not keep it alive.
    var owned = false
    _ = unsafe Handle.with(m, "softseam_destroy") { s throws(CallError) in
        owned = true
        if s.traceFile != nil { _ = try s.finishTrace() }
        return SOFTSEAM_OK
    }
    guard owned else { return }
    unsafe Handle.release(m)
}

@c public func softseam_tdcall(_ m: OpaquePointer?, _ vcpu: UInt32, _ regs: UnsafeMutablePointer<softseam_regs_t>?)
    -> Int32
{
    unsafe Handle.with(m, "softseam_tdcall") { s throws(CallError) in
        guard let regs = unsafe regs else { throw CallError(SOFTSEAM_EINVAL, "softseam_tdcall: regs is NULL") }
        let v = try Handle.vcpu(vcpu, s, "softseam_tdcall")
        var r = unsafe CRegisters.swift(regs.pointee)
        let rc = try s.runTDCall(vcpu: v, &r)
        unsafe regs.pointee = CRegisters.c(r)
        return rc
    }
}

@c public func softseam_seamcall(_ m: OpaquePointer?, _ regs: UnsafeMutablePointer<softseam_regs_t>?) -> Int32 {
    unsafe Handle.with(m, "softseam_seamcall", may: .host) { s throws(CallError) in
        guard let regs = unsafe regs else { throw CallError(SOFTSEAM_EINVAL, "softseam_seamcall: regs is NULL") }
        let r = unsafe CRegisters.swift(regs.pointee)
        let out = try s.hostCall(r, caller: "softseam_seamcall")
        unsafe regs.pointee = CRegisters.c(out)
        return SOFTSEAM_OK
    }
}

@c public func softseam_mem_read(_ m: OpaquePointer?, _ gpa: UInt64, _ buf: UnsafeMutableRawPointer?, _ len: UInt)
    -> Int32
{
    unsafe Handle.with(m, "softseam_mem_read", may: .reads) { s throws(CallError) in
        guard len > 0 else { return SOFTSEAM_OK }
        guard let buf = unsafe buf else { throw CallError(SOFTSEAM_EINVAL, "softseam_mem_read: buf is NULL") }
        let count = try checkedRange(s, gpa, len, "softseam_mem_read")
        let bytes: [UInt8]
        if (try? s.machine.checkL1Accessible(gpa: gpa, count: count)) == nil, s.callback == nil,
            let vcpu = s.machine.vcpus.firstIndex(where: { $0.location == .l1 })
        {
            // The range touches a PENDING page: L1's load, by the lowest-numbered vCPU running L1, takes a #VE
            // (or #DF) through the engine, a step of the trace being recorded.
            guard count <= Int(UInt32.max) else {
                throw CallError(SOFTSEAM_EMEMORY, "softseam_mem_read: \(count) bytes are more than one L1 read")
            }
            let outcome = try s.l1Instruction(vcpu: vcpu, .read(gpa: gpa, size: count), "softseam_mem_read")
            if let code = faultCode(outcome.result.l1Fault) { return code }
            bytes = outcome.bytes ?? []
        } else {
            // L1's view of memory: a load that completes changes nothing and is no step. From a callback, or
            // with no vCPU running L1, a PENDING page is SOFTSEAM_EMEMORY (no L1 runs to take the #VE).
            do { bytes = try s.machine.readMemory(gpa: gpa, count: count) } catch {
                throw CallError(SOFTSEAM_EMEMORY, "softseam_mem_read: \(error)")
            }
        }
        unsafe bytes.withUnsafeBytes { unsafe buf.copyMemory(from: $0.baseAddress!, byteCount: count) }
        return SOFTSEAM_OK
    }
}

@c public func softseam_mem_write(_ m: OpaquePointer?, _ gpa: UInt64, _ buf: UnsafeRawPointer?, _ len: UInt) -> Int32 {
    unsafe Handle.with(m, "softseam_mem_write") { s throws(CallError) in
        guard len > 0 else { return SOFTSEAM_OK }
        guard let buf = unsafe buf else { throw CallError(SOFTSEAM_EINVAL, "softseam_mem_write: buf is NULL") }
        let count = try checkedRange(s, gpa, len, "softseam_mem_write")
        let source = unsafe UnsafeRawBufferPointer(start: buf, count: count)
        // An L1 store through the engine, by the lowest-numbered vCPU running L1 (its step in a trace); with
        // none, vCPU 0's store is refused by the machine's rule (SOFTSEAM_ESTATE).
        let vcpu = s.machine.vcpus.firstIndex { $0.location == .l1 } ?? 0
        try s.checkTraceRoom("softseam_mem_write")
        let fault: L1Fault
        do throws(MachineError) { fault = try unsafe s.engine.store(vcpu: vcpu, gpa: gpa, from: source) } catch {
            throw CallError(error, caller: "softseam_mem_write")
        }
        if fault != .df { s.changed = true }
        return faultCode(fault) ?? SOFTSEAM_OK
    }
}

/// SOFTSEAM_VE for a #VE L1 took (VE_INFO filled), SOFTSEAM_DF for a #DF (VE_INFO still held an unread #VE);
/// nil for no fault and for #GP (reported in `*fault` only).
private func faultCode(_ f: L1Fault) -> Int32? {
    switch f {
    case .ve: SOFTSEAM_VE
    case .df: SOFTSEAM_DF
    default: nil
    }
}

/// `len` as a count, once the whole range [gpa, gpa + len) is known to be memory L1 can reach (accessible,
/// or PENDING pages that give a #VE: `Machine.checkL1Reachable`): nothing is read, copied or written before
/// that (a huge `len` is refused, not allocated).
private func checkedRange(_ s: Session, _ gpa: UInt64, _ len: UInt, _ caller: String) throws(CallError) -> Int {
    guard len <= UInt(Int.max) else {
        throw CallError(SOFTSEAM_EMEMORY, "\(caller): a range of \(len) bytes is not private memory L1 can access")
    }
    do { try s.machine.checkL1Reachable(gpa: gpa, count: Int(len)) } catch {
        throw CallError(SOFTSEAM_EMEMORY, "\(caller): \(error)")
    }
    return Int(len)
}

@c public func softseam_state_hash(_ m: OpaquePointer?) -> UInt64 {
    unsafe Handle.value(m, "softseam_state_hash") { s throws(CallError) in s.machine.stateHash() }
}

@c public func softseam_rdmsr(
    _ m: OpaquePointer?, _ vcpu: UInt32, _ msr: UInt32, _ value: UnsafeMutablePointer<UInt64>?,
    _ fault: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    unsafe Handle.with(m, "softseam_rdmsr") { s throws(CallError) in
        guard let value = unsafe value, let fault = unsafe fault else {
            throw CallError(SOFTSEAM_EINVAL, "softseam_rdmsr: value or fault is NULL")
        }
        let v = try Handle.vcpu(vcpu, s, "softseam_rdmsr")
        let o = try s.l1Instruction(vcpu: v, .rdmsr(msr: msr), "softseam_rdmsr")
        unsafe value.pointee = o.registers.map { $0.rdx << 32 | $0.rax } ?? 0
        unsafe fault.pointee = o.result.l1Fault.rawValue
        return faultCode(o.result.l1Fault) ?? SOFTSEAM_OK
    }
}

@c public func softseam_wrmsr(
    _ m: OpaquePointer?, _ vcpu: UInt32, _ msr: UInt32, _ value: UInt64, _ fault: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    unsafe Handle.with(m, "softseam_wrmsr") { s throws(CallError) in
        guard let fault = unsafe fault else { throw CallError(SOFTSEAM_EINVAL, "softseam_wrmsr: fault is NULL") }
        let v = try Handle.vcpu(vcpu, s, "softseam_wrmsr")
        let o = try s.l1Instruction(vcpu: v, .wrmsr(msr: msr, value: value), "softseam_wrmsr")
        unsafe fault.pointee = o.result.l1Fault.rawValue
        return faultCode(o.result.l1Fault) ?? SOFTSEAM_OK
    }
}

@c public func softseam_cpuid(
    _ m: OpaquePointer?, _ vcpu: UInt32, _ leaf: UInt32, _ subleaf: UInt32, _ out: UnsafeMutablePointer<UInt32>?,
    _ fault: UnsafeMutablePointer<UInt32>?
) -> Int32 {
    unsafe Handle.with(m, "softseam_cpuid") { s throws(CallError) in
        guard let out = unsafe out, let fault = unsafe fault else {
            throw CallError(SOFTSEAM_EINVAL, "softseam_cpuid: out or fault is NULL")
        }
        let v = try Handle.vcpu(vcpu, s, "softseam_cpuid")
        let o = try s.l1Instruction(vcpu: v, .cpuid(leaf: leaf, subleaf: subleaf), "softseam_cpuid")
        let r = o.registers ?? RegisterFile()
        (unsafe out[0], unsafe out[1], unsafe out[2], unsafe out[3]) = (
            UInt32(truncatingIfNeeded: r.rax), UInt32(truncatingIfNeeded: r.rbx), UInt32(truncatingIfNeeded: r.rcx),
            UInt32(truncatingIfNeeded: r.rdx)
        )
        unsafe fault.pointee = o.result.l1Fault.rawValue
        return faultCode(o.result.l1Fault) ?? SOFTSEAM_OK
    }
}

@c public func softseam_last_error(_ m: OpaquePointer?) -> UnsafePointer<CChar>? {
    unsafe UnsafePointer(ThreadState.current.error)
}
