import Foundation

/// The commands' only contact with Foundation's file APIs (files are read and written with SEAMFormats'
/// `FileIO`).
enum FileHandleShim {
    static func writeStderr(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// The names in a directory, sorted, or nil.
    static func contents(ofDirectory path: String) -> [String]? {
        (try? FileManager.default.contentsOfDirectory(atPath: path))?.sorted()
    }
}
