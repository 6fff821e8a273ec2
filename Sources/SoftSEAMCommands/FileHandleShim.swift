import Foundation

/// The commands' only contact with Foundation's file APIs.
enum FileHandleShim {
    static func writeStderr(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    /// Reads a UTF-8 file, or nil.
    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// Writes `text` to `path` through a temporary file and a rename, so a failure leaves nothing half-written.
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
