import SEAMCore
import SEAMTypes

/// The statuses and exit routes a fuzz run reached: what `softseam fuzz` reports and what makes an input
/// worth keeping in the corpus. A feature is one 64-bit word; only the count and membership are ever used
/// (never the set's order).
public struct Coverage: Sendable {
    public private(set) var features: Set<UInt64> = []
    /// Status features (leaf and status code) and route features (event and where it went).
    public private(set) var statuses = 0
    public private(set) var routes = 0

    public init() {}

    /// A TDCALL's leaf and status code (status bits 63:32), or its TD exit.
    /// A leaf as a feature: its number (bits 47:32; every number above 63 counts as one) and version
    /// (bits 51:48, above 2 counted as 3), so that random leaf numbers do not each count as new.
    static func leafKey(_ rax: UInt64) -> UInt64 {
        let number = rax & 0xFFFF < 64 ? rax & 0xFFFF : 0xFFFF
        return min(rax >> 16 & 0xFF, 3) << 16 | number
    }

    mutating func status(tdcall rax: UInt64, _ status: UInt64, _ outcome: TDCallOutcome) {
        let leaf = Self.leafKey(rax)
        switch outcome {
        case .completed: add(1 << 60 | leaf << 32 | status >> 32, route: false)
        case .tdExit: add(2 << 60 | leaf << 32, route: true)
        case .enteredL2(let vm): add(3 << 60 | leaf << 32 | UInt64(vm), route: true)
        case .interrupted: add(4 << 60 | leaf << 32, route: true)
        }
    }

    /// A SEAMCALL's leaf and status code.
    mutating func status(seamcall rax: UInt64, _ status: UInt64) {
        add(5 << 60 | Self.leafKey(rax) << 32 | status >> 32, route: false)
    }

    /// An L2 event (`kind`: 0 read, 1 write, 2 fetch, 5 user fetch, 16 HLT) and where it went.
    mutating func route(_ kind: UInt8, _ outcome: L2Outcome) {
        let k = UInt64(kind) << 40
        switch outcome {
        case .continued: add(6 << 60 | k, route: true)
        case .moduleHandled(let r): add(7 << 60 | k | UInt64(r.rawValue), route: true)
        case .exitToL1(let regs): add(8 << 60 | k | regs.rax & 0xFFFF_FFFF, route: true)
        case .tdExit(let e): add(9 << 60 | k | e.registers.rax & 0xFFFF_FFFF, route: true)
        }
    }

    mutating func add(_ f: UInt64, route: Bool) {
        if features.insert(f).inserted {
            if route { routes += 1 } else { statuses += 1 }
        }
    }

    /// Adds `other`'s features; returns how many were new.
    @discardableResult
    public mutating func merge(_ other: Coverage) -> Int {
        var new = 0
        for f in other.features where features.insert(f).inserted {
            new += 1
            if f >> 60 == 1 || f >> 60 == 5 { statuses += 1 } else { routes += 1 }
        }
        return new
    }

    /// Whether `other` has a feature this one lacks.
    public func lacksSome(of other: Coverage) -> Bool { !other.features.isSubset(of: features) }
}
