import SEAMCore
import SEAMTypes

/// A fuzz campaign: inputs generated and mutated from a seed, run with the oracle, coverage kept.
public enum FuzzCampaign {
    /// The seed of iteration `iteration` of a campaign seeded `seed`: SplitMix64's output stream, so
    /// neighbouring iterations get unrelated generators.
    static func iterationSeed(_ seed: UInt64, _ iteration: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ 0x6A09_E667_F3BC_C908 &* (iteration &+ 1))
        return g.next()
    }

    /// A fresh random input: 1 to 256 bytes (about 16 operations on average, at most 32).
    public static func freshInput(seed: UInt64, iteration: UInt64) -> [UInt8] {
        var g = SplitMix64(seed: iterationSeed(seed, iteration))
        let n = Int(g.next() % 256) + 1
        var bytes = [UInt8](repeating: 0, count: n)
        var i = 0
        while i < n {
            var w = g.next()
            for _ in 0..<8 where i < n {
                bytes[i] = UInt8(truncatingIfNeeded: w)
                w >>= 8
                i += 1
            }
        }
        return bytes
    }
}
