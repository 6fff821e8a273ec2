import SEAMTypes

extension Machine {
    /// TDH.MR.FINALIZE (17): ends the TD build; MRTD is closed (`mrtd`: SHA-384 of every TDH.MEM.PAGE.ADD and
    /// TDH.MR.EXTEND block, in call order) and OP_STATE becomes RUNNABLE. Already finalized →
    /// OP_STATE_INCORRECT (tdx-module `src/vmm_dispatcher/api_calls/tdh_mr_finalize.c`; its NO_VCPUS cannot
    /// happen here, a SoftSEAM TD has its vCPUs from the start, and SERVTD_HASH stays zero with no service TD
    /// bound). The hash itself is computed when MRTD is read: the log it is computed from is the state.
    mutating func tdhMRFinalize(_ regs: inout RegisterFile) {
        guard opState == .initialized else { return hostStatus(&regs, .opStateIncorrect) }
        opState = .runnable
        hostStatus(&regs, .success)
    }

    /// TDH.MR.EXTEND (16): measures 256 bytes of an added page into MRTD (tdx-module
    /// `src/vmm_dispatcher/api_calls/tdh_mr_extend.c`). RCX = the chunk's GPA, RDX = the TDR. RCX and RDX are
    /// zeroed first; then, in order: OP_STATE not INITIALIZED → OP_STATE_INCORRECT; the GPA not 256-byte
    /// aligned, or not a valid private GPA → OPERAND_INVALID(RCX); the walk to the leaf stops at a FREE or
    /// blocked entry → EPT_ENTRY_NOT_PRESENT(RCX) with that entry's details in RCX and RDX; the leaf is not
    /// MAPPED → EPT_ENTRY_NOT_PRESENT (no operand, no details). Then the 128-byte "MR.EXTEND" block and the
    /// chunk's bytes enter MRTD (`MRTDLog`).
    mutating func tdhMRExtend(_ regs: inout RegisterFile) {
        let gpa = regs.rcx
        regs.rcx = 0
        regs.rdx = 0
        guard opState == .initialized else { return hostStatus(&regs, .opStateIncorrect) }
        guard gpa & 0xFF == 0, width.isValidPrivate(gpa) else { return hostStatus(&regs, .operandInvalid.with(.rcx)) }
        let walk = space.walkL1ToLeaf(gpa)
        guard case .leaf(let record) = walk.entry else {
            return hostSEPTError(&regs, .eptEntryNotPresent.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard record.state == .mapped else { return hostStatus(&regs, .eptEntryNotPresent) }
        var chunk = [UInt8](repeating: 0, count: 256)
        chunk.withUnsafeMutableBytes { space.read(gpa >> 12, offset: Int(gpa & 0xFFF), into: $0) }
        mrtdLog.chunkExtended(gpa, chunk)
        hostStatus(&regs, .success)
    }

    /// MRTD as TDG.VM.RD and TDH.MNG.RD read it: zero until TDH.MR.FINALIZE, then SHA-384 of the build's blocks
    /// (`MRTDLog.measurement`, O(pages added)).
    public var mrtd: [UInt8] {
        opState == .initialized ? [UInt8](repeating: 0, count: 48) : mrtdLog.measurement()
    }
}
