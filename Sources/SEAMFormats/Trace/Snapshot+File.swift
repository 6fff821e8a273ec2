import SEAMCore

extension Snapshot {
    /// Writes the snapshot to `path` — atomically (a temporary file beside it, then renamed over it) when
    /// `path` is new or a regular file, straight through for a device, a FIFO or `/dev/stdout` (`FileIO`); with
    /// `dashIsStandardOutput`, `-` is standard output.
    public func write(to path: String, dashIsStandardOutput: Bool = false) throws(InputError) {
        try FileIO.write(fileBytes(), to: path, dashIsStandardOutput: dashIsStandardOutput)
    }

    /// Reads and checks the snapshot at `path` (with `dashIsStandardInput`, `-` is standard input); an
    /// unreadable file is an `InputError` naming it and saying why.
    public static func read(path: String, dashIsStandardInput: Bool = false) throws(InputError) -> Snapshot {
        try Snapshot(
            fileBytes: FileIO.readAll(path, dashIsStandardInput: dashIsStandardInput),
            file: dashIsStandardInput ? FileIO.displayName(path, output: false) : path)
    }
}
