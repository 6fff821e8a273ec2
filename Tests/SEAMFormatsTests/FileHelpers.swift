import Foundation

/// Scratch directories for the file tests.
enum FileHelpers {
    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func removeTree(_ path: String) throws { try FileManager.default.removeItem(atPath: path) }

    /// The names in `path`, sorted (hidden ones included, so a stray temporary file shows).
    static func list(_ path: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
