import CSoftSEAM
import Glibc

/// What the C ABI keeps per thread: the last error messages (errno-like, so a thread never reads another
/// thread's message) and the machine and vCPU `__tdcall*` act on (`softseam_bind_current`).
@safe final class ThreadState {
    /// How many messages a thread keeps: a pointer `softseam_last_error` handed out stays valid through
    /// `keptMessages - 1` later failures on its thread, so `printf("%d %s", f(m), softseam_last_error(m))` never
    /// reads freed memory whichever argument C evaluates first.
    static let keptMessages = 16
    /// The thread's last `keptMessages` messages, each its own NUL-terminated allocation, `newest` the last
    /// one ("" before the first failure); older slots are freed as the ring comes round to them.
    private var messages: [UnsafeMutablePointer<CChar>?]
    private var newest = 0
    /// The message of the last negative result on this thread; "" when there was none.
    var error: UnsafeMutablePointer<CChar> { unsafe messages[newest]! }
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
        let empty = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        unsafe empty.initialize(to: 0)
        unsafe messages = Array(repeating: nil, count: ThreadState.keptMessages)
        unsafe messages[0] = empty
    }

    deinit { for i in 0..<ThreadState.keptMessages { unsafe messages[i]?.deallocate() } }

    /// Records `message` in the next slot of the ring (freeing the message `keptMessages` failures old)
    /// and returns `code`.
    func fail(_ code: Int32, _ message: String) -> Int32 {
        let bytes = message.utf8CString
        let fresh = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
        unsafe bytes.withUnsafeBufferPointer { unsafe fresh.initialize(from: $0.baseAddress!, count: $0.count) }
        newest = (newest + 1) % ThreadState.keptMessages
        unsafe messages[newest]?.deallocate()
        unsafe messages[newest] = fresh
        return code
    }

    /// Records `message` on the calling thread and returns `code` (for calls without a machine).
    static func fail(_ code: Int32, _ message: String) -> Int32 { current.fail(code, message) }
}
