import Foundation
import SEAMCore
import SEAMFormats
import SEAMTypes

/// The big-TD benchmarks: how fast the built-in host builds a TD from a config, and what each page costs in
/// peak resident memory.
extension Benchmarks {
    /// The pages of the TD `bytes_per_page` measures: a 16 GiB TD of 4K pages, the most a config may ask for.
    static let bigTDPages = Int(ConfigDecoder.maxLeaves)

    /// A config of `pages` mapped 4K pages from GPA 0 in a TD with 3 L2 VMs (L2 SEPT pages supplied).
    static func bigTDConfig(pages: Int) -> String {
        #"{"num_l2_vms": 3, "memory": [{"gpa": "0x0", "size": "\#(hexShort(UInt64(pages) << 12))", "state": "mapped"}]}"#
    }

    /// Builds a TD of `pages` pages from its config text: decoding and `Machine(config:)`, as `alias-map` and
    /// `softseam_create` do.
    static func buildTD(pages: Int) -> Machine {
        guard let config = try? ConfigDecoder.decode(bigTDConfig(pages: pages), file: "<bench>") else {
            preconditionFailure("td_build_pages: the benchmark config does not decode")
        }
        return Machine(config: config)
    }

    /// `td_build_pages`: builds TDs of 4K pages from their config, at most `bigTDPages` pages each, until `n`
    /// pages are built; the rate is pages per second.
    static func tdBuildPages(_ n: Int) -> UInt64 {
        var left = n
        var acc: UInt64 = 0
        while left > 0 {
            let pages = min(left, bigTDPages)
            acc &+= buildTD(pages: pages).stateHash()
            left -= pages
        }
        return acc
    }

    /// `bytes_per_page` run with `--iterations N` (in the child processes `bytesPerPage()` starts): builds a
    /// TD of N pages (at most `bigTDPages`) in this process and prints this process's peak resident set
    /// (VmHWM, in bytes) with the TD still alive.
    static func tdBuildPeak(_ n: Int) -> UInt64 {
        let machine = buildTD(pages: min(n, bigTDPages))
        let peak = withExtendedLifetime(machine) { peakResidentBytes() }
        print(peak)
        return peak
    }

    /// Peak resident bytes per page of a 4 Mi-page TD: each TD is built in a fresh child process
    /// (`softseam bench --only bytes_per_page --iterations N`), which reports its own VmHWM, so nothing this
    /// process did earlier counts. (A child's `ru_maxrss` would: Linux carries the parent's high-water mark
    /// across the exec of a vfork-style spawn.) The figure is (peak of the 4 Mi-page TD − peak of a 1-page
    /// TD) / 4 Mi: everything the build holds at its worst moment — the config, the maps, any transient
    /// copy — beyond what the process needs anyway.
    static func bytesPerPage() -> Double {
        let big = childPeak(pages: bigTDPages), small = childPeak(pages: 1)
        return Double(Int64(big) - Int64(small)) / Double(bigTDPages)
    }

    /// Runs `softseam bench --only bytes_per_page --iterations pages` and returns the peak it prints.
    static func childPeak(pages: Int) -> UInt64 {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            preconditionFailure("bytes_per_page: cannot find this executable (/proc/self/exe)")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = ["bench", "--only", "bytes_per_page", "--iterations", "\(pages)"]
        let out = Pipe()
        child.standardOutput = out
        do { try child.run() } catch { preconditionFailure("bytes_per_page: cannot start \(exe): \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard child.terminationStatus == 0, let peak = UInt64(text) else {
            preconditionFailure("bytes_per_page: the child for \(pages) pages printed \"\(text)\"")
        }
        return peak
    }

    /// VmHWM of this process from /proc/self/status, in bytes.
    static func peakResidentBytes() -> UInt64 {
        guard let status = FileHandle(forReadingAtPath: "/proc/self/status")?.readDataToEndOfFile(),
            let line = String(decoding: status, as: UTF8.self).split(separator: "\n").first(where: {
                $0.hasPrefix("VmHWM:")
            }),
            let kB = UInt64(line.dropFirst("VmHWM:".count).filter(\.isNumber))
        else { preconditionFailure("bytes_per_page: no VmHWM in /proc/self/status") }
        return kB * 1024
    }

    /// What `softseam bench` reports for benchmark `name`: bytes for `bytes_per_page`, else operations (for
    /// `td_build_pages`, pages) per second over at least `seconds`.
    static func figure(_ name: String, _ body: Body, seconds: Double) -> Double {
        name == "bytes_per_page" ? bytesPerPage() : measure(body, seconds: seconds)
    }

    /// The figure as the JSON and text outputs print it: bytes per page to a tenth, rates as integers.
    static func formatted(_ name: String, _ value: Double) -> String {
        name == "bytes_per_page" ? String(format: "%.1f", value) : "\(Int(value))"
    }
}
