import Foundation
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// The repository, found from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The trace corpus: every `Traces/*.trace.jsonl` and `Traces/*.trace.bin`, by name.
enum Corpus {
    static let directory = repositoryRoot + "/Traces"

    static let names: [String] = {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return all.filter { $0.hasSuffix(".trace.jsonl") || $0.hasSuffix(".trace.bin") }.sorted()
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    static func trace(_ name: String) throws -> Trace { try Trace.load(bytes(name), file: path(name)) }

    /// The scenario a corpus trace was recorded from, and how: a file under Traces/scenarios, or a built-in
    /// demo (the l1-observed one derived from the full trace).
    static func source(of name: String) throws -> (scenario: Scenario, l1Observed: Bool) {
        let base = name.replacingOccurrences(of: ".trace.jsonl", with: "").replacingOccurrences(
            of: ".trace.bin", with: "")
        switch base {
        case "alias-table-demo": return (AliasTableDemo.run().scenario, false)
        case "l2-boot-demo": return (L2BootDemo.run().scenario, false)
        case "l2-boot-demo.l1-observed": return (L2BootDemo.run().scenario, true)
        default:
            let p = directory + "/scenarios/" + base + ".scenario.jsonl"
            return (try Scenario.parse(String(contentsOfFile: p, encoding: .utf8), file: p), false)
        }
    }
}

/// A step comment's hand-derived expectation: the text after its last " → " (Traces/FORMAT.md, "Corpus").
enum Expectation: Equatable {
    case status(String)
    case tdExit(UInt32)
    case entersL2(Int)
    case l2Continues
    case moduleHandles(UInt32)
    case exitToL1(UInt32)
    case resumesL1
    case resumesL2(Int)
    case done
    case ve
    case fault(UInt32)
    case bytes([UInt8])
    /// An interruptible TDCALL stopped for an interrupt pending for L1: RAX still holds the leaf.
    case interrupted
    /// An L1 step after which L1 took this vector (the step's delivery, VM 0).
    case delivers(UInt32)
    /// An L2 VM took this vector by this path (`Delivery.via`), for the first time or (`twice`) the second.
    case vmTakes(vm: Int, vector: UInt32, via: String, count: UInt32)
    /// A host shared-IRTE push refused for this problem (`IRTERingProblem.name`).
    case refused(String)

    init?(comment: String) {
        guard let r = comment.range(of: " → ", options: .backwards) else { return nil }
        let text = String(comment[r.upperBound...])
        let words = text.split(separator: " ").map(String.init)
        func number(_ s: String) -> UInt32? { s.hasPrefix("0x") ? UInt32(s.dropFirst(2), radix: 16) : UInt32(s) }
        func vm(_ s: String) -> Int? { s.hasPrefix("VM") ? Int(s.dropFirst(2)) : nil }
        switch words.count {
        case 1 where text == "done": self = .done
        case 1 where text == "#VE": self = .ve
        case 1 where text == "interrupted": self = .interrupted
        case 1 where text.hasPrefix("TDX_"): self = .status(text)
        case 2 where text == "L2 continues": self = .l2Continues
        case 2 where text == "resumes L1": self = .resumesL1
        case let n where (n == 5 || n == 6) && words[0].hasPrefix("VM") && words[1] == "takes" && words[3] == "via":
            guard let vm = Int(words[0].dropFirst(2)), let v = number(words[2]), words.count == 5 || words[5] == "twice"
            else { return nil }
            self = .vmTakes(vm: vm, vector: v, via: String(words[4]), count: words.count == 6 ? 2 : 1)
        case 2 where words[0] == "delivers":
            guard let n = number(words[1]) else { return nil }
            self = .delivers(n)
        case 2 where words[0] == "refused": self = .refused(words[1])
        case 2 where words[0] == "fault":
            guard let n = number(words[1]) else { return nil }
            self = .fault(n)
        case 2 where words[0] == "bytes" && words[1].hasPrefix("0x") && words[1].count % 2 == 0:
            let hex = Array(words[1].utf8.dropFirst(2))
            var b: [UInt8] = []
            for i in stride(from: 0, to: hex.count, by: 2) {
                guard let v = UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
                b.append(v)
            }
            self = .bytes(b)
        case 3 where words[0...1] == ["td", "exit"]:
            guard let n = number(words[2]) else { return nil }
            self = .tdExit(n)
        case 3 where words[0...1] == ["enters", "L2"]:
            guard let v = vm(words[2]) else { return nil }
            self = .entersL2(v)
        case 3 where words[0...1] == ["module", "handles"]:
            guard let n = number(words[2]) else { return nil }
            self = .moduleHandles(n)
        case 3 where words[0...1] == ["resumes", "L2"]:
            guard let v = vm(words[2]) else { return nil }
            self = .resumesL2(v)
        case 4 where words[0...2] == ["exit", "to", "L1"]:
            guard let n = number(words[3]) else { return nil }
            self = .exitToL1(n)
        default: return nil
        }
    }

    /// Whether `outcome` of `step` is what the expectation says; the reason when it is not.
    func mismatch(_ step: Step, _ outcome: StepOutcome) -> String? {
        let low32 = { (r: UInt64) in UInt32(truncatingIfNeeded: r) }
        switch self {
        case .status(let name):
            guard let status = TDXStatus.allNamed.first(where: { $0.name == name })?.status else {
                return "unknown status name \(name)"
            }
            guard let rax = outcome.registers?.rax, outcome.result == .completed else {
                return "expected \(name), the step's result is \(Replayer.describe(outcome.result))"
            }
            return rax & ~0xFFFF_FFFF == status.rawValue ? nil : "expected \(name), RAX is \(hexShort(rax))"
        case .tdExit(let reason):
            guard case .tdExit(let r) = outcome.result, low32(r.rax) == reason else {
                return "expected a TD exit \(reason), got \(Replayer.describe(outcome.result))"
            }
            return nil
        case .entersL2(let vm), .resumesL2(let vm):
            return outcome.result == .l2(vm: vm)
                ? nil : "expected VM\(vm) to run, got \(Replayer.describe(outcome.result))"
        case .l2Continues, .done:
            return outcome.result == .completed && outcome.registers == nil
                ? nil : "expected no exit, got \(Replayer.describe(outcome.result))"
        case .moduleHandles(let reason):
            return outcome.result == .moduleHandled(reason) ? nil : "expected module handles \(reason)"
        case .exitToL1(let reason):
            // From an L2 event, or straight from L1's TDG.VP.ENTER when the VM entry itself fails.
            if case .l1(let r) = outcome.result, case .l2 = step.actor, low32(r.rax) == reason { return nil }
            if case .l1 = step.actor, outcome.result == .completed, let r = outcome.registers, r.rax >> 32 == 0,
                low32(r.rax) == reason
            {
                return nil
            }
            return "expected an exit to L1 with reason \(reason), got \(Replayer.describe(outcome.result))"
        case .ve:
            // A TDCALL that took a #VE did not complete: RAX still holds the leaf.
            if case .l1 = step.actor, outcome.result == .completed, outcome.registers?.rax == step.registers.rax {
                return nil
            }
            return "expected a #VE (TDCALL not completed), got \(Replayer.describe(outcome.result))"
        case .interrupted:
            return outcome.result == .interrupted && outcome.registers?.rax == step.registers.rax
                ? nil : "expected the TDCALL interrupted (RAX untouched), got \(Replayer.describe(outcome.result))"
        case .fault(let v):
            return outcome.result == .fault(v) ? nil : "expected fault \(v), got \(Replayer.describe(outcome.result))"
        case .bytes(let b):
            return outcome.result == .completed && outcome.bytes == b
                ? nil : "expected bytes \(b), got \(Replayer.describe(outcome.result)) \(outcome.bytes ?? [])"
        case .delivers(let v):
            guard let d = outcome.delivery, d.vm == 0, UInt32(d.vector) == v, outcome.result == .completed else {
                return "expected L1 to take vector \(v), got \(outcome.delivery.map { "\($0)" } ?? "no delivery")"
            }
            return nil
        case .vmTakes(let vm, let v, let via, let count):
            guard let d = outcome.delivery, d.vm == vm, UInt32(d.vector) == v, d.via.name == via, d.count == count
            else {
                return "expected VM\(vm) to take \(v) via \(via) (count \(count)), got "
                    + (outcome.delivery.map { "\($0)" } ?? "no delivery")
            }
            return nil
        case .refused(let name):
            if case .refused(let why) = outcome.result, why.name == name { return nil }
            return "expected the push refused \(name), got \(Replayer.describe(outcome.result))"
        case .resumesL1:
            if case .l1 = outcome.result { return nil }
            return outcome.result == .completed && outcome.registers?.rax == 0
                ? nil : "expected L1 to run, got \(Replayer.describe(outcome.result))"
        }
    }
}
