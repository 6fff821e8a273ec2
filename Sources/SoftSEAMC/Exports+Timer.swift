import SEAMCore

/// The TD's virtual TSC (`Machine.virtualTSC`): what an L1 reads as "now" to program an L2's TSC_DEADLINE.
/// Only an L2 `time` event advances it (softseam.h).
@c public func softseam_tsc(_ m: OpaquePointer?) -> UInt64 {
    unsafe Handle.value(m, "softseam_tsc") { s throws(CallError) in s.machine.virtualTSC }
}
