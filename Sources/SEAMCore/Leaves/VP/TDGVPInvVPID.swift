import SEAMTypes

extension Machine {
    /// TDG.VP.INVVPID (leaf 27): flushes L2 VM translations of guest linear addresses, one INVVPID
    /// individual-address per 4K page (module `src/td_dispatcher/vm_exits/tdg_vp_invvpid.c`).
    ///
    /// Checks in the module's order:
    /// 1. RCX: VM index (bits 53:52) 1…NUM_L2_VMS, bits 51:1 and 63:54 clear → else OPERAND_INVALID(RCX).
    /// 2. LIST (RCX bit 0) = 0: RDX is one GLA list entry (bits 63:12 base GLA page, bits 11:0 last page index);
    ///    RDX is neither checked nor written.
    /// 3. LIST = 1: RDX is a GLA list info (bits 8:0 FIRST_ENTRY, 51:12 list GPA page, 61:52 NUM_ENTRIES); bits
    ///    11:9 or 63:62 set, or FIRST_ENTRY + NUM_ENTRIES > 512 → OPERAND_INVALID(RDX). The list GPA must be a
    ///    valid private GPA (else OPERAND_INVALID(RDX)); a PENDING list page is a #VE when TD_CTLS
    ///    PENDING_VE_DISABLE is 0 (VE_INFO: EPT violation, qualification 1 = data read, the page's GPA; the
    ///    TDCALL does not complete: no register is written and the outcome is `.completed` with RAX still
    ///    holding the leaf — L1 is at its #VE handler), otherwise, and for any other page L1 cannot read, an
    ///    EPT-violation TD exit (qualification 1, EEQ type 6 for a PENDING page, 0 otherwise) after which the
    ///    TDCALL re-executes. Then each entry FIRST_ENTRY… is flushed in turn, and RDX is rewritten with
    ///    FIRST_ENTRY advanced (9 bits: 512 wraps to 0) and NUM_ENTRIES 0.
    /// 4. Each page of an entry is a linear address: a non-canonical one (the platform has 48-bit linear
    ///    addresses) stops with TDX_GLA_NOT_CANONICAL; the pages before it stay flushed and RDX is not written.
    ///
    /// 5. List mode is interruptible: after each entry (the last one too) the call stops when an interrupt is
    ///    pending for L1 (`l1InterruptPending`), with RDX rewritten as FIRST_ENTRY advanced past the entries done
    ///    and NUM_ENTRIES the ones left, RAX not written and RIP not advanced (outcome `.interrupted`): L1
    ///    executes the TDCALL again with that RDX and continues. Every call with NUM_ENTRIES > 0 flushes at least
    ///    one entry; one with NUM_ENTRIES 0 completes at once, so an interrupt after the last entry costs L1 one
    ///    more call that only writes RDX and RAX.
    ///
    /// SoftSEAM has no L2 TLB: a flush is counted in `VCPU.vpidFlushes[vm]`, one per page.
    mutating func tdgVPInvVPID(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let flags = regs.rcx
        let vm = Int(flags.bits(53, 52))
        guard vm != 0, vm <= numL2VMs, flags & (.mask(51, 1) | .mask(63, 54)) == 0 else {
            return complete(&regs, .operandInvalid.with(.rcx))
        }
        guard flags & 1 != 0 else {
            return complete(&regs, invalidateGLAs(vcpu: i, vm: vm, entry: regs.rdx))
        }
        var info = regs.rdx
        var first = info & 0x1FF
        var count = info.bits(61, 52)
        guard info & (.mask(11, 9) | .mask(63, 62)) == 0, first + count <= 512 else {
            return complete(&regs, .operandInvalid.with(.rdx))
        }
        let listGPA = info & .mask(51, 12)
        guard width.isValidPrivate(listGPA) else { return complete(&regs, .operandInvalid.with(.rdx)) }
        if let fault = operandPageFault(vcpu: i, gpa: listGPA, qualification: 1) { return fault }
        let page = space.page(listGPA >> 12)
        while count > 0 {
            let o = Int(first) * 8
            var entry: UInt64 = 0
            for b in 0..<8 { entry |= UInt64(page[o + b]) << (8 * UInt64(b)) }
            let status = invalidateGLAs(vcpu: i, vm: vm, entry: entry)
            guard status == .success else { return complete(&regs, status) }
            first += 1
            count -= 1
            if l1InterruptPending(vcpu: i) {
                regs.rdx = info & ~(UInt64(0x1FF) | .mask(61, 52)) | (first & 0x1FF) | count << 52
                return .interrupted
            }
        }
        info = info & ~(UInt64(0x1FF) | .mask(61, 52)) | (first & 0x1FF)
        regs.rdx = info
        return complete(&regs, .success)
    }

    /// The INVVPID individual-address flushes of one GLA list entry (module `invvpid_gla_list_entry`): pages
    /// base, base + 1, … base + last index (the page number wraps in its 52 bits); TDX_GLA_NOT_CANONICAL at
    /// the first non-canonical address, after flushing the pages before it.
    mutating func invalidateGLAs(vcpu i: Int, vm: Int, entry: UInt64) -> TDXStatus {
        var pageNumber = entry >> 12
        for _ in 0...(entry & 0xFFF) {
            let la = pageNumber << 12
            let upper = la >> 47  // canonical for 48-bit linear addresses: bits 63:47 all equal
            guard upper == 0 || upper == (1 << 17) - 1 else { return .glaNotCanonical }
            vcpus[i].vpidFlushes[vm] &+= 1
            pageNumber = (pageNumber + 1) & ((1 << 52) - 1)
        }
        return .success
    }
}
