import SEAMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Snapshot {
    /// Writes the snapshot to `path` atomically: into a temporary file beside it, then renamed over it, so a
    /// reader sees the old file or the whole new one, and a failure leaves nothing behind.
    public func write(to path: String) throws(InputError) {
        try FileIO.writeAtomically(fileBytes(), to: path)
    }

    /// Reads and checks the snapshot at `path`; an unreadable file is an `InputError` naming it.
    public static func read(path: String) throws(InputError) -> Snapshot {
        try Snapshot(fileBytes: FileIO.readAll(path), file: path)
    }
}

/// Whole-file reads and atomic writes with POSIX calls, whose errors name the cause (`strerror`).
package enum FileIO {
    package static func readAll(_ path: String) throws(InputError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw failure(path, "cannot open") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    package static func writeAtomically(_ bytes: [UInt8], to path: String) throws(InputError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = directory + "." + name + ".softseam-tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create \(temporary)") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = failure(path, "cannot write \(temporary)")
                close(fd)
                unlink(temporary)
                throw e
            }
            written += n
        }
        let synced = fsync(fd) == 0
        guard close(fd) == 0, synced else {
            let e = failure(path, "cannot flush \(temporary)")
            unlink(temporary)
            throw e
        }
        guard rename(temporary, path) == 0 else {
            let e = failure(path, "cannot rename \(temporary) to it")
            unlink(temporary)
            throw e
        }
    }

    /// `what: strerror(errno)`, for the file the user named.
    static func failure(_ path: String, _ what: String) -> InputError {
        InputError(file: path, "\(what): \(String(cString: strerror(errno)))")
    }
}
