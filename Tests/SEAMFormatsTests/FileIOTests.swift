import Foundation
import SEAMCore
import SEAMFormats
import Testing

/// Where writes go (atomic replace only for new paths and regular files), what reading a file that is not
/// one says, and the one rule that picks a trace's form from its name.
@Suite struct FileIOTests {
    /// A fresh scratch directory for one test.
    func scratch(_ line: Int = #line) throws -> String {
        let directory = "/tmp/softseam-fileio-test-\(getpid())-\(line)"
        _ = try? FileHelpers.removeTree(directory)
        try FileHelpers.makeDirectory(directory)
        return directory
    }

    func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
    func linkTarget(_ path: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path) }

    // MARK: Writing

    @Test func aNewFileAndARegularFileAreReplacedWhole() throws {
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        try FileIO.write(Array("one".utf8), to: d + "/f")
        try FileIO.write(Array("two".utf8), to: d + "/f")
        #expect(try contents(d + "/f") == "two")
        #expect(try FileHelpers.list(d) == ["f"])  // no temporary file left
    }

    /// A symbolic link to a file is not renamed over: the link stays, the file it points to gets the bytes,
    /// and keeps its permissions.
    @Test func aLinkToAFileStaysALink() throws {
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: d + "/target.txt"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: d + "/target.txt")
        try FileManager.default.createSymbolicLink(atPath: d + "/link.trace.jsonl", withDestinationPath: "target.txt")
        try FileIO.write(Array("new".utf8), to: d + "/link.trace.jsonl")
        #expect(linkTarget(d + "/link.trace.jsonl") == "target.txt")
        #expect(try contents(d + "/target.txt") == "new")
        let mode = try FileManager.default.attributesOfItem(atPath: d + "/target.txt")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileHelpers.list(d) == ["link.trace.jsonl", "target.txt"])
    }

    /// A link to a name that does not exist yet creates that file; the link stays.
    @Test func aDanglingLinkCreatesItsTarget() throws {
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        try FileManager.default.createSymbolicLink(atPath: d + "/link", withDestinationPath: d + "/later.txt")
        try FileIO.write(Array("x".utf8), to: d + "/link")
        #expect(linkTarget(d + "/link") == d + "/later.txt")
        #expect(try contents(d + "/later.txt") == "x")
    }

    /// `/dev/stdout` and `/dev/fd/N` stand for this process's descriptor N; a device or a FIFO is opened and
    /// written: none of them is a file to rename over (checked without writing to the test's own stdout).
    @Test func devicesFIFOsAndDescriptorLinksAreWrittenStraight() throws {
        #expect(try FileIO.destination(of: "/dev/stdout") == .descriptor(1))
        #expect(try FileIO.destination(of: "/dev/fd/7") == .descriptor(7))
        #expect(try FileIO.destination(of: "/proc/self/fd/2") == .descriptor(2))
        #expect(try FileIO.destination(of: "/dev/null") == .stream)
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        #expect(try FileIO.destination(of: d + "/new") == .replace(d + "/new", mode: nil))
        // A link to stdout in a directory of one's own: a descriptor, never renamed over.
        try FileManager.default.createSymbolicLink(atPath: d + "/out", withDestinationPath: "/proc/self/fd/1")
        #expect(try FileIO.destination(of: d + "/out") == .descriptor(1))

        // A pipe written through /dev/fd/N: the bytes come out of the pipe.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        try FileIO.write(Array("through the pipe".utf8), to: "/dev/fd/\(fds[1])")
        close(fds[1])
        #expect(String(decoding: try FileIO.readAll("/dev/fd/\(fds[0])"), as: UTF8.self) == "through the pipe")

        // A FIFO (opened for reading first, so the write does not wait): it stays a FIFO.
        let fifo = d + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDWR | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        try FileIO.write(Array("fifo".utf8), to: fifo)
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(n, 0)), as: UTF8.self) == "fifo")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }

    @Test func aDirectoryIsRefusedForWritingAndReading() throws {
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        #expect(throws: InputError(file: d, "is a directory; give a file name")) {
            try FileIO.write([1], to: d)
        }
        #expect(throws: InputError(file: d, "is a directory; give a file name")) { try FileIO.checkWritable(d) }
        #expect(throws: InputError(file: d, "is a directory, not a file")) { _ = try FileIO.readAll(d) }
        #expect(try FileHelpers.list(d).isEmpty)
    }

    // MARK: Reading

    /// A missing file, a directory and non-UTF-8 text each say which they are (not "cannot read the file").
    @Test func readingSaysWhyAFileCannotBeRead() throws {
        let d = try scratch()
        defer { _ = try? FileHelpers.removeTree(d) }
        #expect(throws: InputError(file: d + "/none.jsonl", "no such file")) {
            _ = try Trace.inputs(ofFile: d + "/none.jsonl")
        }
        #expect(throws: InputError(file: d, "is a directory, not a file")) { _ = try Trace.inputs(ofFile: d) }
        // Line 2, byte 17 (0-based: 14 bytes of line 1 and its newline, then two spaces): the 0xFF.
        let bad = d + "/bad.jsonl"
        try Data(Array("{\"softseam\":1}".utf8) + [0x0A, 0x20, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: bad))
        #expect(throws: InputError(file: bad, line: 2, byteOffset: 17, "not UTF-8 text (byte 0xFF)")) {
            _ = try Trace.inputs(ofFile: bad)
        }
        // A multi-byte sequence cut short ("é" is C3 A9): the error points at its first byte.
        #expect(throws: InputError(file: "t", line: 1, byteOffset: 2, "not UTF-8 text (byte 0xC3)")) {
            _ = try FileIO.text([0x41, 0x42, 0xC3, 0x41], file: "t")
        }
        #expect(
            throws: InputError(file: "t", line: 1, byteOffset: 0, "neither a binary trace nor UTF-8 text (byte 0x80)")
        ) {
            _ = try Trace.load([0x80], file: "t")
        }
    }

    /// A binary trace cut inside its 8-byte magic ("SSEA") is a truncated binary trace, not malformed JSON;
    /// one cut after the magic is too.
    @Test func aTruncatedBinaryTraceSaysSo() throws {
        for bytes in [Array("SSEA".utf8), Array("S".utf8), Array("SSEAMTRC".utf8) + [1, 0, 0, 0]] {
            #expect {
                _ = try Trace.load(bytes, file: "t.bin")
            } throws: { e in
                (e as? InputError)?.message.hasPrefix("truncated binary trace: \(bytes.count) bytes") == true
            }
            #expect {
                _ = try Trace.inputs(of: bytes, file: "t.bin")
            } throws: { e in
                (e as? InputError)?.message.hasPrefix("truncated binary trace") == true
            }
        }
        let whole = try Trace.record(Scenario(config: MachineConfig(numL2VMs: 1)), file: "s").binary()
        #expect {
            _ = try Trace.load(Array(whole.dropLast(3)), file: "t.bin")
        } throws: { e in
            (e as? InputError)?.message.hasPrefix("truncated binary trace") == true
        }
    }

    // MARK: Trace file names

    @Test func theNameDecidesTheFormAndAContradictionIsAnError() throws {
        #expect(Trace.format(impliedBy: "t.trace.bin") == .binary)
        #expect(Trace.format(impliedBy: "T.BIN") == .binary)
        #expect(Trace.format(impliedBy: "t.trace.jsonl") == .json)
        #expect(Trace.format(impliedBy: "t.json") == .json)
        #expect(Trace.format(impliedBy: "t.trace") == nil)
        #expect(Trace.format(impliedBy: "-") == nil)
        #expect(try Trace.format(for: "t.bin", requested: nil, fallback: .json) == .binary)
        #expect(try Trace.format(for: "t.jsonl", requested: nil, fallback: .binary) == .json)
        #expect(try Trace.format(for: "t.bin", requested: .binary, fallback: .json) == .binary)
        #expect(try Trace.format(for: "t.out", requested: .binary, fallback: .json) == .binary)
        #expect(try Trace.format(for: "t.out", requested: nil, fallback: .binary) == .binary)
        #expect(try Trace.format(for: "-", requested: nil, fallback: .json) == .json)
        #expect(
            throws: InputError(
                file: "x.bin", field: "format",
                "the name ends in .bin, which means binary, but JSON Lines was asked for; rename the file or ask for binary"
            )
        ) { _ = try Trace.format(for: "x.bin", requested: .json, fallback: .json) }
        #expect(
            throws: InputError(
                file: "x.json", field: "format",
                "the name ends in .json, which means JSON Lines, but binary was asked for; rename the file or ask for JSON Lines"
            )
        ) { _ = try Trace.format(for: "x.json", requested: .binary, fallback: .json) }
    }

    /// A trace with no steps ends in the state of the TD its config builds, as replay and snapshot say.
    @Test func aTraceWithNoStepsEndsInTheBuiltTDsHash() throws {
        let config = MachineConfig(
            numL2VMs: 2, vcpus: 2, memory: [.init(gpa: 0x10_0000, size: 0x2000, state: .mapped)])
        let trace = try Trace.record(Scenario(config: config), file: "s")
        #expect(trace.count == 0)
        #expect(trace.finalHash == Machine(config: config).stateHash())
        #expect(try Replayer.replay(trace, file: "t").finalHash == Machine(config: config).stateHash())
    }
}
