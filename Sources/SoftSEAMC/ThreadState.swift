import CSoftSEAM
import Glibc

/// What the C ABI keeps per thread: the last error message (errno-like, so a thread never reads another
/// thread's message) and the machine and vCPU `__tdcall*` act on (`softseam_bind_current`).
@safe final class ThreadState {
    /// NUL-terminated message of the last negative result on this thread; "" when there was none. Its own
    /// allocation, so the pointer `softseam_last_error` hands out stays valid until the next failure.
    private(set) var error: UnsafeMutablePointer<CChar>
    weak var bound: Session?
    var vcpu: UInt32 = 0

    /// The pthread key of the current thread's state; its destructor releases the state at thread exit.
    static let key: pthread_key_t = {
        var k = pthread_key_t()
        let rc = unsafe pthread_key_create(&k) { p in
            guard let p = unsafe p else { return }
            unsafe Unmanaged<ThreadState>.fromOpaque(p).release()
        }
        precondition(rc == 0, "softseam: pthread_key_create failed")
        return k
    }()

    /// The calling thread's state, made on first use.
    static var current: ThreadState {
        if let p = unsafe pthread_getspecific(key) {
            return unsafe Unmanaged<ThreadState>.fromOpaque(p).takeUnretainedValue()
        }
        let s = ThreadState()
        unsafe pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
        return s
    }

    init() {
        unsafe error = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        unsafe error.initialize(to: 0)
    }

    deinit { unsafe error.deallocate() }

    /// Records `message` and returns `code`.
    func fail(_ code: Int32, _ message: String) -> Int32 {
        let bytes = message.utf8CString
        let fresh = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        unsafe bytes.withUnsafeBufferPointer { unsafe fresh.initialize(from: $0.baseAddress!, count: $0.count) }
        unsafe error.deallocate()
        unsafe error = fresh
        return code
    }

    /// Records `message` on the calling thread and returns `code` (for calls without a machine).
    static func fail(_ code: Int32, _ message: String) -> Int32 { current.fail(code, message) }
}
