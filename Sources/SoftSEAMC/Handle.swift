import CSoftSEAM
import Glibc
import SEAMTypes

#if DEBUG
    import Synchronization
#endif

/// `softseam_t *` ⇄ `Session`: the handle is the session's address, retained from create to destroy.
///
/// A destroyed or made-up handle is undefined behaviour (softseam.h). A debug build checks it: it keeps the
/// handles `softseam_create` returned and `softseam_destroy` has not freed, and every call refuses any other
/// with SOFTSEAM_EINVAL (an address a later `softseam_create` reused is live again). A release build does
/// not look: the check would cost every call a lock.
enum Handle {
    static func opaque(_ s: Session) -> OpaquePointer { unsafe OpaquePointer(Unmanaged.passUnretained(s).toOpaque()) }

    /// The session of a live handle; nil for NULL, and in a debug build for a handle that is not live.
    static func session(_ m: OpaquePointer?) -> Session? {
        guard let m = unsafe m, unsafe isLive(m) else { return nil }
        return unsafe Unmanaged<Session>.fromOpaque(UnsafeRawPointer(m)).takeUnretainedValue()
    }

    /// A new session's handle, retained until `release`.
    static func retain(_ s: Session) -> OpaquePointer {
        let m = unsafe OpaquePointer(Unmanaged.passRetained(s).toOpaque())
        #if DEBUG
            _ = live.withLock { $0.insert(UInt(bitPattern: m)) }
        #endif
        return unsafe m
    }

    /// Frees the session of `m` (softseam_destroy).
    static func release(_ m: OpaquePointer) {
        #if DEBUG
            _ = live.withLock { $0.remove(UInt(bitPattern: m)) }
        #endif
        unsafe Unmanaged<Session>.fromOpaque(UnsafeRawPointer(m)).release()
    }

    #if DEBUG
        /// The live handles, by address.
        static let live = Mutex<Set<UInt>>([])
        static func isLive(_ m: OpaquePointer) -> Bool { live.withLock { $0.contains(UInt(bitPattern: m)) } }
    #else
        @inline(__always) static func isLive(_ m: OpaquePointer) -> Bool { true }
    #endif

    /// SOFTSEAM_EINVAL for a handle that is NULL or (debug builds) not live.
    static func refuse(_ m: OpaquePointer?, _ name: String) -> Int32 {
        guard let m = unsafe m else { return ThreadState.fail(SOFTSEAM_EINVAL, "\(name): the machine is NULL") }
        let address = hexShort(UInt64(UInt(bitPattern: m)))
        return ThreadState.fail(
            SOFTSEAM_EINVAL,
            "\(name): \(address) is not a live machine: destroyed, or not one softseam_create returned (undefined "
                + "behaviour; a debug build of libsoftseam checks it)")
    }

    /// Runs `body` on the session of `m` as the only user: NULL (and in a debug build a handle that is not
    /// live) → SOFTSEAM_EINVAL; in use on another thread → SOFTSEAM_EBUSY; called from a callback of the same
    /// machine → allowed when the callback `may` make it, else SOFTSEAM_EBUSY. A thrown `CallError` becomes its
    /// code and the thread's message.
    static func with(
        _ m: OpaquePointer?, _ name: String, may: Permission = .never,
        _ body: (Session) throws(CallError) -> Int32
    ) -> Int32 {
        guard let s = unsafe session(m) else { return unsafe refuse(m, name) }
        let me = UInt(pthread_self())
        let (mine, holder) = s.owner.compareExchange(expected: 0, desired: me, ordering: .acquiring)
        if !mine {
            guard holder == me, let c = s.callback else {
                return ThreadState.fail(SOFTSEAM_EBUSY, "\(name): the machine is in use on another thread")
            }
            guard may.allows(c) else {
                let from = if case .l2 = c { "an L2 callback" } else { "a host callback" }
                return ThreadState.fail(SOFTSEAM_EBUSY, "\(name) cannot be called from \(from) of the same machine")
            }
            return run(s, body)
        }
        defer { s.owner.store(0, ordering: .releasing) }
        return run(s, body)
    }

    /// A read that returns a value rather than a code: `body`'s value, or 0 when the call cannot be made (the
    /// reason is the thread's last error). Allowed from callbacks.
    static func value<T: FixedWidthInteger>(
        _ m: OpaquePointer?, _ name: String, _ body: (Session) throws(CallError) -> T
    ) -> T {
        var result: T = 0
        _ = unsafe with(m, name, may: .reads) { s throws(CallError) in
            result = try body(s)
            return SOFTSEAM_OK
        }
        return result
    }

    private static func run(_ s: Session, _ body: (Session) throws(CallError) -> Int32) -> Int32 {
        do { return try body(s) } catch { return ThreadState.fail(error.code, error.message) }
    }

    /// Which calls a callback may make on its own machine.
    enum Permission {
        /// None: the call changes what the running TDCALL depends on.
        case never
        /// From any callback: reads.
        case reads
        /// From the host callback: the host's calls.
        case host

        func allows(_ c: Session.CallbackKind) -> Bool {
            switch (self, c) {
            case (.reads, _), (.host, .host): true
            default: false
            }
        }
    }

    /// A vCPU index the TD has, or SOFTSEAM_ENOVCPU.
    static func vcpu(_ v: UInt32, _ s: Session, _ name: String) throws(CallError) -> Int {
        // The machine's own vCPU rule, checked before calls that do not reach the machine (softseam_tdvpr, …).
        do { try s.machine.checkVCPU(Int(v)) } catch { throw CallError(error, caller: name) }
        return Int(v)
    }
}

/// `softseam_regs_t` ⇄ `RegisterFile` (both in architectural order).
enum CRegisters {
    static func swift(_ r: softseam_regs_t) -> RegisterFile {
        var f = RegisterFile()
        (f.rax, f.rcx, f.rdx, f.rbx, f.rsp, f.rbp, f.rsi, f.rdi) = (
            r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi
        )
        (f.r8, f.r9, f.r10, f.r11, f.r12, f.r13, f.r14, f.r15) = (r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15)
        return f
    }

    static func c(_ f: RegisterFile) -> softseam_regs_t {
        softseam_regs_t(
            rax: f.rax, rcx: f.rcx, rdx: f.rdx, rbx: f.rbx, rsp: f.rsp, rbp: f.rbp, rsi: f.rsi, rdi: f.rdi,
            r8: f.r8, r9: f.r9, r10: f.r10, r11: f.r11, r12: f.r12, r13: f.r13, r14: f.r14, r15: f.r15)
    }
}
