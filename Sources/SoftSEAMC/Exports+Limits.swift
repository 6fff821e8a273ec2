import CSoftSEAM
import Glibc
import SEAMCore

// The limits that keep a runaway L2 or a long recording from running or growing without bound, and the
// caller-buffer copy of the last error.

@c public func softseam_set_l2_event_limit(_ m: OpaquePointer?, _ limit: UInt64) -> Int32 {
    unsafe Handle.with(m, "softseam_set_l2_event_limit") { s throws(CallError) in
        s.engine.l2EventLimit = try count(limit, "softseam_set_l2_event_limit", "limit")
        return SOFTSEAM_OK
    }
}

@c public func softseam_set_trace_limit(_ m: OpaquePointer?, _ steps: UInt64) -> Int32 {
    unsafe Handle.with(m, "softseam_set_trace_limit") { s throws(CallError) in
        let n = try count(steps, "softseam_set_trace_limit", "steps")
        s.traceLimit = n
        s.engine.observer?.limit = n
        return SOFTSEAM_OK
    }
}

/// A limit from C: 1 … Int.max.
private func count(_ value: UInt64, _ caller: String, _ name: String) throws(CallError) -> Int {
    guard value >= 1, value <= UInt64(Int.max) else {
        throw CallError(SOFTSEAM_EINVAL, "\(caller): \(name) must be 1 … \(Int.max), not \(value)")
    }
    return Int(value)
}

@c public func softseam_last_error_copy(_ buf: UnsafeMutablePointer<CChar>?, _ len: UInt) -> UInt {
    let message = unsafe ThreadState.current.error
    let length = unsafe strlen(message)
    guard let buf = unsafe buf, len > 0 else { return UInt(length) }
    let n = min(Int(length), Int(min(len - 1, UInt(Int.max))))
    unsafe buf.update(from: message, count: n)
    unsafe buf[n] = 0
    return UInt(length)
}
