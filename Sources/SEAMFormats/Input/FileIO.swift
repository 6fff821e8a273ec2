#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file reads and writes with POSIX calls, for every file a user names (configs, scenarios, traces,
/// snapshots; the CLI and the C ABI alike). Errors name the file and say what is wrong in words a user can act
/// on — no such file, is a directory, not UTF-8 text at line N — and the `strerror` text for anything else.
///
/// A write replaces a file atomically (a temporary file in the same directory, then `rename`), so a reader
/// sees the old file or the whole new one and a failure leaves nothing half-written — but only where that is
/// safe: a new name, a regular file, or a symbolic link to one of those (then the file the link points to is
/// replaced and the link stays). Anything else is written straight through, because a rename would replace
/// the name instead of writing to what it stands for: a character device (`/dev/null`, a terminal), a FIFO, a
/// socket, and `/dev/stdout`, `/dev/fd/N` and `/proc/self/fd/N`, which are written to the process's own
/// descriptor N (so output goes where the shell redirected it, after what is already there).
///
///     path ──lstat──▶ missing or regular file ──▶ temporary file + rename
///          │          directory ──▶ error "is a directory"
///          │          symbolic link ──readlink──▶ (again, up to 40 links)
///          │          /dev/fd/N, /proc/self/fd/N ──▶ write(N)
///          └────────▶ device, FIFO, socket ──▶ open + write
package enum FileIO {
    /// The name `-` stands for in messages when it means standard input or output.
    package static func displayName(_ path: String, output: Bool) -> String {
        path == "-" ? (output ? "<stdout>" : "<stdin>") : path
    }

    // MARK: Reading

    /// The bytes of the file at `path`; with `dashIsStandardInput`, `-` reads standard input to its end.
    package static func readAll(_ path: String, dashIsStandardInput: Bool = false) throws(InputError) -> [UInt8] {
        if dashIsStandardInput && path == "-" { return try readAll(descriptor: 0, name: "<stdin>") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT ? InputError(file: path, "no such file") : failure(path, "cannot open it")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw InputError(file: path, "is a directory, not a file")
        }
        return try readAll(descriptor: fd, name: path)
    }

    static func readAll(descriptor fd: Int32, name: String) throws(InputError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(name, "cannot read it")
            }
            if n == 0 { return out }
            out += chunk[0..<n]
        }
    }

    /// `bytes` as UTF-8 text, or an error naming the line and byte offset (0-based) of the first byte that is
    /// not part of a UTF-8 sequence: `file:3: byte 57: not UTF-8 text (byte 0xFF)`.
    package static func text(_ bytes: [UInt8], file: String, notText: String = "not UTF-8 text") throws(InputError)
        -> String
    {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        let offset = min(firstNonUTF8Offset(bytes) ?? 0, bytes.count - 1)
        let line = 1 + bytes[..<offset].count { $0 == 0x0A }
        throw InputError(
            file: file, line: line, byteOffset: offset,
            "\(notText) (byte 0x\(String(bytes[offset], radix: 16, uppercase: true)))")
    }

    /// The offset of the first byte of the first ill-formed UTF-8 sequence, or nil when there is none.
    static func firstNonUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    // MARK: Writing

    /// Where a write to a path goes.
    package enum Destination: Equatable {
        /// Replace this regular (or new) file atomically, keeping `mode` when it exists.
        case replace(String, mode: mode_t?)
        /// The process's own open descriptor (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`).
        case descriptor(Int32)
        /// Open the path and write to it (a device, a FIFO, a socket).
        case stream
    }

    /// Writes `bytes` to `path` (see the type's comment for when that is atomic); with
    /// `dashIsStandardOutput`, `-` is standard output.
    /// - Throws: `InputError` naming the file and the cause.
    package static func write(_ bytes: [UInt8], to path: String, dashIsStandardOutput: Bool = false)
        throws(InputError)
    {
        let destination = dashIsStandardOutput && path == "-" ? .descriptor(1) : try destination(of: path)
        switch destination {
        case .replace(let target, let mode): try writeAtomically(bytes, to: target, mode: mode, naming: path)
        case .descriptor(let fd): try write(bytes, descriptor: fd, name: displayName(path, output: true))
        case .stream:
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw failure(path, "cannot open it for writing") }
            defer { close(fd) }
            try write(bytes, descriptor: fd, name: path)
        }
    }

    /// Checks, before anything is recorded, that a later `write(_:to:)` to `path` can work: not a directory,
    /// and for a file that is replaced, a directory this process may write in.
    package static func checkWritable(_ path: String) throws(InputError) {
        guard case .replace(let target, _) = try destination(of: path) else { return }
        let directory = directory(of: target)
        guard access(directory.isEmpty ? "." : directory, W_OK) == 0 else {
            throw failure(path, "cannot write in \(directory.isEmpty ? "." : directory)")
        }
    }

    /// What a write to `path` writes to: follows symbolic links by hand (at most 40) so that a link is never
    /// renamed over, and stops at a link to one of this process's descriptors.
    package static func destination(of path: String) throws(InputError) -> Destination {
        var target = path
        for _ in 0..<40 {
            if let fd = ownDescriptor(target) { return .descriptor(fd) }
            var info = stat()
            guard lstat(target, &info) == 0 else {
                guard errno == ENOENT else { throw failure(path, "cannot look at \(target)") }
                return .replace(target, mode: nil)
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return .replace(target, mode: info.st_mode & 0o7777)
            case S_IFDIR:
                throw InputError(
                    file: path,
                    target == path
                        ? "is a directory; give a file name" : "is a link to the directory \(target); give a file name")
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(target, &buffer, buffer.count - 1)
                guard n > 0 else { throw failure(path, "cannot read the link \(target)") }
                let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                target = link.hasPrefix("/") ? link : directory(of: target) + link
            default:
                return .stream
            }
        }
        throw InputError(file: path, "more than 40 symbolic links to follow")
    }

    /// N for `/dev/fd/N`, `/proc/self/fd/N`, `/proc/thread-self/fd/N` and `/proc/<this pid>/fd/N`.
    static func ownDescriptor(_ path: String) -> Int32? {
        let parts = path.split(separator: "/")
        let owner = "\(getpid())"
        switch parts.count {
        case 3 where parts[0] == "dev" && parts[1] == "fd": return Int32(parts[2])
        case 4
        where parts[0] == "proc" && ["self", "thread-self", owner].contains(String(parts[1])) && parts[2] == "fd":
            return Int32(parts[3])
        default: return nil
        }
    }

    /// The directory part of `path` with its trailing slash, or "" for a bare name.
    static func directory(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[...$0]) } ?? ""
    }

    /// Writes all of `bytes` to an open descriptor; standard output's buffered text is flushed first, so what
    /// the program printed before stays before.
    static func write(_ bytes: [UInt8], descriptor fd: Int32, name: String) throws(InputError) {
        if fd == 1 { fflush(nil) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw failure(name, "the write stopped after \(written) of \(bytes.count) bytes")
            }
            written += n
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t?, naming name: String)
        throws(InputError)
    {
        let directory = directory(of: path)
        let temporary = directory + "." + path.dropFirst(directory.count) + ".softseam-tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(name, "cannot create \(temporary)") }
        do throws(InputError) {
            try write(bytes, descriptor: fd, name: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw InputError(file: name, error.message)
        }
        if let mode { fchmod(fd, mode) }
        let synced = fsync(fd) == 0
        guard close(fd) == 0, synced else {
            let e = failure(name, "cannot flush \(temporary)")
            unlink(temporary)
            throw e
        }
        guard rename(temporary, path) == 0 else {
            let e = failure(name, "cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw e
        }
    }

    /// `what: strerror(errno)`, for the file the user named.
    static func failure(_ path: String, _ what: String) -> InputError {
        InputError(file: path, "\(what): \(String(cString: strerror(errno)))")
    }
}

/// POSIX `write(2)` (the enum's own `write` methods hide the global name inside it).
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
