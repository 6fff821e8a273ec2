import SEAMTypes

extension Machine {
    /// TDH.MEM.TRACK (38): advances the TD's TLB epoch. SoftSEAM runs no vCPU while the host calls, so no
    /// vCPU can still hold the old epoch and one TRACK after a BLOCK makes the block tracked.
    mutating func tdhMemTrack(_ regs: inout RegisterFile) {
        tdEpoch &+= 1
        space.trackAllBlocks()
        hostStatus(&regs, .success)
    }
}
