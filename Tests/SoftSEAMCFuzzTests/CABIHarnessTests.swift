import CSoftSEAM
import Foundation
import SoftSEAMC
import SoftSEAMCFuzz
import Testing

/// The C-ABI fuzz harness of `fuzz-cabi` on crafted inputs: its oracle, its decoder, and the seed corpus in
/// Traces/fuzz/cabi. The libFuzzer build itself is `make fuzz` (slow: a release build with coverage), not
/// `make test`.
@Suite struct CABIHarnessTests {
    static let operandInvalid: UInt64 = 0xC000_0100_0000_0000
    /// The mapped page A of config 0 (0x100000…0x10FFFF mapped) and its guest-state buffer page.
    static let pageA: UInt64 = 0x10_0000

    static func run(_ b: FuzzInputBuilder) -> (CABIHarness, CABIViolation?) {
        let h = CABIHarness(FuzzBytes(b.bytes))
        h.recording = true
        return (h, h.run())
    }

    // MARK: The oracle

    @Test func theVerdictHoldsNegativeResultsAndErrorStatusesToAnUnchangedHash() {
        let v = CABIHarness.verdict
        // Unchanged state: every result softseam.h documents passes, whatever the status.
        for rc: Int32 in [0, 1, 2, 3, 4, -1, -5, -10] {
            #expect(v("f", rc, Self.operandInvalid, 7, 7, false) == nil, "result \(rc)")
        }
        // A negative result that changed the state, with or without a status, and even when the host ran.
        #expect(v("f", -3, nil, 7, 8, false) != nil)
        #expect(v("f", -6, 0, 7, 8, true) != nil)
        // An error status (bit 63) that changed the state; not when the call may change it (host, PEND_NMI).
        #expect(v("f", 0, Self.operandInvalid, 7, 8, false) != nil)
        #expect(v("f", 0, 0x8000_0200_0000_0000, 7, 8, false) != nil)  // TDX_OPERAND_BUSY: bit 63
        #expect(v("f", 0, Self.operandInvalid, 7, 8, true) == nil)
        // Success, a non-error status (TDX_NON_RECOVERABLE_TD, bit 63 clear) and the positive results may change it.
        #expect(v("f", 0, 0, 7, 8, false) == nil)
        #expect(v("f", 0, 0x6000_0002_0000_0000, 7, 8, false) == nil)
        #expect(v("f", 1, Self.operandInvalid, 7, 8, false) == nil)
        #expect(v("f", 4, nil, 7, 8, false) == nil)
        // Results softseam.h does not have (5, -11) and a machine that no longer answers its hash.
        #expect(v("f", 5, nil, 7, 7, false) != nil)
        #expect(v("f", -11, nil, 7, 7, false) != nil)
        #expect(v("f", 0, 0, 7, 0, false) != nil)
        // The message names the call, the result and the broken promise.
        let text = v("softseam_tdcall(vcpu 0, rax 0x18)", 0, Self.operandInvalid, 1, 2, false)?.description ?? ""
        #expect(text.contains("softseam_tdcall(vcpu 0, rax 0x18)") && text.contains("RAX 0xc000010000000000"))
        #expect(text.contains("an error status changed the machine") && text.contains("0x1 → 0x2"))
    }

    // MARK: Real calls

    /// ATTR.WR (leaf 24) on the mapped page A: VM1's field 0x0001 without VALID is TDX_OPERAND_INVALID (Specs/
    /// attr-wr-failures.tsv, priority 3) and leaves the hash as it was; the legal request 0x8003 with mask 0x0003
    /// (R|W for VM1) succeeds and changes it — the hash does see what ATTR.WR writes.
    @Test func aRejectedAttrWrLeavesTheHashUnchangedAndALegalOneChangesIt() throws {
        var b = FuzzInputBuilder(config: 0)
        b.tdcall(rax: 24, [Self.pageA, 0x1_0000, 0])
        b.tdcall(rax: 24, [Self.pageA, 0x8003_0000, 0x3_0000])
        let (h, violation) = Self.run(b)
        #expect(violation == nil)
        try #require(h.calls.count == 2)
        let (rejected, accepted) = (h.calls[0], h.calls[1])
        #expect(rejected.function == "softseam_tdcall" && rejected.result == SOFTSEAM_OK)
        #expect(rejected.output.rax & 0xFFFF_FFFF_0000_0000 == Self.operandInvalid)
        #expect(rejected.hashAfter == rejected.hashBefore)
        #expect(accepted.result == SOFTSEAM_OK && accepted.output.rax == 0)
        #expect(accepted.hashAfter != accepted.hashBefore && accepted.hashBefore == rejected.hashAfter)
    }

    /// Misuse returns the negative code softseam.h gives it and changes nothing: a vCPU the TD lacks
    /// (SOFTSEAM_ENOVCPU), a store to an unmapped GPA (SOFTSEAM_EMEMORY), and a TDG.VP.ENTER whose L2 source
    /// gives up after L2 ran a read and a write (SOFTSEAM_EL2: the whole entry is undone).
    @Test func misuseReturnsItsErrorCodeAndChangesNothing() throws {
        var b = FuzzInputBuilder(config: 0)
        b.tdcall(vcpu: 0xF5, rax: 1)  // TDG.VP.INFO on vCPU 5 of 2
        b.store(gpa: 0x60_0000, size: 8, value: 1)  // unmapped
        Self.prepareL2(&b)
        b.tdcall(rax: 25, [1 << 52, Self.pageA + 0x1000])  // TDG.VP.ENTER VM1, buffer at A + 0x1000
        // L2 reads and writes its own page A (aliased R|W for VM1 below), then has nothing more to do.
        b.l2Events([(.read, 0x0100_0000_0000_0000), (.write, 0x0700_0000_2A00_0000)])
        b.l2Stop()
        let (h, violation) = Self.run(b)
        #expect(violation == nil)
        let results = h.calls.map(\.result)
        try #require(results.count == 7, "\(results)")
        #expect(results[0] == SOFTSEAM_ENOVCPU && results[1] == SOFTSEAM_EMEMORY && results[6] == SOFTSEAM_EL2)
        for c in h.calls where c.result < 0 { #expect(c.hashAfter == c.hashBefore, "\(c.function) \(c.result)") }
        #expect(h.l2Answers == 1)
    }

    /// Found by fuzz-cabi: after L1's own TD exit, the host's TDH.VP.ENTER with RESUME_L1 is OPERAND_INVALID(RCX)
    /// — RESUME_L1 is only for an exit from L2 — and the module checks that before it adjusts the vCPU's TLB
    /// tracking state (tdx-module src/td_transitions/tdh_vp_enter.c: the RESUME_L1 check, then
    /// adjust_tlb_tracking_state), so after a TDH.MEM.TRACK the failed entry still changes nothing. The vCPU has
    /// run L2 once (its epoch is sampled), then ATTR.RD of the blocked page A TD-exits (fault-like).
    @Test func resumeL1AfterAnL1ExitFailsBeforeTheEpochIsAdjusted() throws {
        let (h, violation) = Self.run(Self.resumeL1AfterL1Exit)
        #expect(violation == nil, "\(violation?.description ?? "")")
        try #require(h.calls.count == 10, "\(h.calls.map(\.result))")
        let (exit, invalid, entry) = (h.calls[6], h.calls[8], h.calls[9])
        #expect(exit.result == SOFTSEAM_TD_EXIT && exit.output.rax == 48)
        #expect(invalid.output.rax == Self.operandInvalid | 1 && invalid.hashAfter == invalid.hashBefore)
        #expect(entry.output.rax == 0 && entry.hashAfter != entry.hashBefore)
    }

    static var resumeL1AfterL1Exit: FuzzInputBuilder {
        var b = FuzzInputBuilder(config: 0)
        Self.prepareL2(&b)
        b.tdcall(rax: 25, [1 << 52, Self.pageA + 0x1000])
        b.l2Events([(.cpuid, 0)])
        b.seamcall(rax: 7, [Self.pageA])  // TDH.MEM.RANGE.BLOCK
        b.tdcall(rax: 23, [Self.pageA])  // ATTR.RD of a blocked page: a fault-like TD exit
        b.host(.leave)
        b.seamcall(rax: 38)  // TDH.MEM.TRACK: a new TD epoch
        b.seamcall(rax: 0, [0x20_0000_0000 | 1 << 53])  // TDH.VP.ENTER vCPU 0 with RESUME_L1
        b.seamcall(rax: 0, [0x20_0000_0000])  // without: L1 resumes
        return b
    }

    /// Found by fuzz-cabi: TDG.VP.INVVPID (leaf 27) of VM 2 with the GLA list entry 0x7FFFFFFFFFFF (base page
    /// 0x7FFFFFFFF000, last index 0xFFF) flushes the canonical first page, then meets 0x800000000000 and stops
    /// with TDX_GLA_NOT_CANONICAL — as the module does (tdg_vp_invvpid.c, invvpid_gla_list_entry) — so the hash
    /// changes (SoftSEAM counts the flush), which the harness allows for that status. An entry whose first page
    /// is already non-canonical flushes nothing and changes nothing.
    @Test func invvpidStopsAtTheFirstNonCanonicalPageAfterFlushingThoseBefore() throws {
        let (h, violation) = Self.run(Self.invvpidPartialFlush)
        #expect(violation == nil, "\(violation?.description ?? "")")
        try #require(h.calls.count == 2)
        let (partial, none) = (h.calls[0], h.calls[1])
        let glaNotCanonical: UInt64 = 0xC000_1160_0000_0000  // TDX_GLA_NOT_CANONICAL, Specs/status-codes.tsv
        #expect(partial.output.rax == glaNotCanonical && partial.hashAfter != partial.hashBefore)
        #expect(none.output.rax == glaNotCanonical && none.hashAfter == none.hashBefore)
        let v = CABIHarness.verdict
        #expect(v("x", partial.result, partial.output.rax, partial.hashBefore, partial.hashAfter, false) != nil)
    }

    static var invvpidPartialFlush: FuzzInputBuilder {
        var b = FuzzInputBuilder(config: 0)
        b.tdcall(rax: 27, [2 << 52, 0x7FFF_FFFF_FFFF])
        b.tdcall(rax: 27, [2 << 52, 0x8000_0000_0000])
        return b
    }

    /// The set-up L2 needs to run (as Traces/scenarios/host-memory-lifecycle does): VM1's virtual-APIC page
    /// (TDG.VP.WR of L2 VMCS field 0x2012, leaf 10), RFLAGS = 2 and RIP in the guest-state buffer at
    /// A + 0x1000, and an R|W alias of A for VM1 (ATTR.WR). Four calls.
    static func prepareL2(_ b: inout FuzzInputBuilder) {
        b.tdcall(rax: 10, [0, 0x2420_0003_0000_2012, pageA + 0x2000, 0xFFFF_FFFF_FFFF_F000])
        b.store(gpa: pageA + 0x1080, size: 8, value: 2)
        b.store(gpa: pageA + 0x1088, size: 8, value: 0x8000)
        b.tdcall(rax: 24, [pageA, 0x8003_0000, 0x3_0000])
    }

    /// A PEND_NMI armed by the host is delivered at the end of the next TDCALL the module completes, even one
    /// that fails (softseam.h, softseam_pend_nmi): the failed TDG.VP.INFO (version 9: TDX_OPERAND_INVALID)
    /// changes the hash, and the harness exempts it — and only it: the next failing call is held to the rule.
    @Test func aPendingNMIExemptsTheFailedTDCallItFinishes() throws {
        var b = FuzzInputBuilder(config: 0)
        b.pendNMI()
        b.tdcall(rax: 1 | 9 << 16)
        b.tdcall(rax: 1 | 9 << 16)
        let (h, violation) = Self.run(b)
        #expect(violation == nil)
        try #require(h.calls.count == 3)
        let (first, second) = (h.calls[1], h.calls[2])
        #expect(first.output.rax >> 63 == 1 && second.output.rax >> 63 == 1)
        #expect(first.hashAfter != first.hashBefore, "the NMI's delivery must show in the hash")
        let v = CABIHarness.verdict
        #expect(v("x", first.result, first.output.rax, first.hashBefore, first.hashAfter, false) != nil)
        #expect(second.hashAfter == second.hashBefore)
    }

    /// With the library's built-in host, a TDG.VP.VMCALL<MapGPA> (R11 = 0x10001) passes at most 64 pages in R13:
    /// the built-in host maps a whole range at once, and 2^40 bytes would take minutes and gigabytes. A request
    /// of 65 pages goes out as 64; the harness's own host sees it unchanged (it answers TD exits itself).
    @Test func mapGPAIsKeptTo64PagesOnlyWithTheBuiltInHost() throws {
        for builtIn in [true, false] {
            var b = FuzzInputBuilder(config: 0, builtInHost: builtIn)
            b.tdcall(rax: 0, [0xFC00, 0, 0, 0, 0, 0x10001, 0x8000_0010_0000, 65 << 12])
            if !builtIn { b.host(.leave) }
            let (h, violation) = Self.run(b)
            #expect(violation == nil)
            try #require(h.calls.count == 1)
            #expect(h.calls[0].input.r13 == (builtIn ? 64 << 12 : 65 << 12))
        }
    }

    // MARK: Decoding

    /// Every field of the input, decoded by hand from the layout `CABIHarness` documents.
    @Test func theDecoderReadsLeavesVCPUsAndOperandKindsAsDocumented() throws {
        let bytes: [UInt8] = [
            0,  // config 0, the harness's host
            3, 1, 17, 4,  // op 3 (TDCALL), vCPU 1, leaf byte 17 → TDCALL leaf 17 of the list (TDG.MEM.PAGE.ATTR.WR)
            0x02, 0x00, 0x03,  // RCX: kind 2, GPA 0 (0x100000) | level 3
            0x04, 0x87, 0x01, 0x80,  // RDX: kind 4, VM1 0x8007, VM2 0x0001, VM3 0x8000
            0x06, 0x81,  // R8: kind 6, the TDVPR of vCPU 1 | RESUME_L1
            0x07, 0x42,  // R9: kind 7, VM 66 % 5 = 1 in bits 63:52, flags 66 >> 6 = 1
            3, 0x10, 27, 1,  // op 3, vCPU 16 % 2 = 0, leaf byte 27 (below), one operand
            0x0C,  // RCX: kind 12 % 12 = 0 → 0 (the others stay 0)
            9, 0xF0 + 2, 0x34, 0x12, 0,  // op 9 (SEAMCALL), leaf byte 0xF2 → the 16-bit leaf 0x1234, no operands
        ]
        let h = CABIHarness(FuzzBytes(bytes))
        h.recording = true
        #expect(h.run() == nil)
        try #require(
            h.calls.count == 3,
            "\(h.calls.map { ($0.function, $0.result, String($0.output.rax, radix: 16), $0.exits) })")
        let a = h.calls[0]
        #expect(a.function == "softseam_tdcall" && a.vcpu == 1)
        #expect(a.input.rax == 24)
        #expect(a.input.rcx == 0x10_0003)
        #expect(a.input.rdx == 0x8000_0001_8007_0000)
        #expect(a.input.r8 == 0x20_0000_1000 | 1 << 53)
        #expect(a.input.r9 == 1 << 52 | 1)
        let b = h.calls[1]
        // Leaf byte 27 over 26 listed leaves: list entry 27 % 26 = 1 (TDG.VP.INFO), version [0, 0, 1, 2][27 / 26 % 4]
        // = 0; it completes with TDX_SUCCESS.
        #expect(b.vcpu == 0 && b.input.rax == 1 && b.input.rcx == 0 && b.input.rdx == 0)
        #expect(b.result == SOFTSEAM_OK && b.output.rax == 0 && b.exits == 0)
        let c = h.calls[2]
        #expect(c.function == "softseam_seamcall" && c.input.rax == 0x1234)
        // An unknown SEAMCALL leaf is an error status, not a trap, and changes nothing.
        #expect(c.result == SOFTSEAM_OK && c.output.rax >> 63 == 1 && c.hashAfter == c.hashBefore)
    }

    /// The end of the input ends the run: an empty input runs nothing, and a cut-off call runs with zeros.
    @Test func emptyAndTruncatedInputsRunCleanly() {
        for bytes: [UInt8] in [[], [0], [0x80], [2], [3, 0], [13, 0, 0xFF, 1, 2]] {
            let h = CABIHarness(FuzzBytes(bytes))
            h.recording = true
            #expect(h.run() == nil, "\(bytes)")
            #expect(h.calls.count == (bytes.count > 1 ? 1 : 0), "\(bytes)")
        }
    }

    // MARK: The seed corpus

    static let seedDirectory: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/Traces/fuzz/cabi"
    }()

    /// The seeds, each a short run that reaches one part of the model the fuzzer mutates from.
    static let seeds: [String: FuzzInputBuilder] = {
        var seeds: [String: FuzzInputBuilder] = [:]
        // ATTR.WR aliases, TDG.VP.ENTER, L2 accesses through the alias and outside it, then CPUID exits to L1.
        var b = FuzzInputBuilder(config: 0)
        prepareL2(&b)
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        // An 8-byte read and a 4-byte write of A go through VM1's R|W alias; a user fetch does not (no Xu): an
        // EPT violation, exit 48 to L1.
        b.l2Events([(.read, 0x0700_0000_0000_0000), (.write, 0x0300_0000_5500_0800), (.fetch, 0x8000_0000_0000_0000)])
        b.tdcall(rax: 23, [pageA])  // ATTR.RD
        b.tdcall(rax: 24, [pageA, 0x8001_0000, 0x8003_0000])  // narrow to R with INVEPT
        b.tdcall(rax: 26, [0x2])  // TDG.VP.INVEPT VM1
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        b.l2Events([(.read, 0x0700_0000_0000_0002), (.cpuid, 0)])  // a page VM1 has no alias for
        seeds["alias-enter-l2"] = b
        // ACCEPT of a pending page, aliases on pending pages (L2-blocked), the host's AUG of another.
        b = FuzzInputBuilder(config: 0)
        b.tdcall(rax: 24, [0x20_1000, 0x0000_8003_8003_0000, 0x3_0003_0000])
        b.tdcall(rax: 6, [0x20_0000])
        b.tdcall(rax: 24, [0x20_0000, 0x8007_0000, 0x7_0000])
        b.tdcall(rax: 6, [0x20_1000])
        b.tdcall(rax: 6, [0x40_0001])  // the pending 2M page
        b.seamcall(rax: 6, [0x11_0000, 0, 0x3000_0000])  // TDH.MEM.PAGE.AUG
        b.tdcall(rax: 6, [0x11_0000])
        seeds["accept-pending"] = b
        // The host blocks, tracks, unblocks and removes an aliased page; L2 meets the blocked page (a TD exit the
        // harness's host hands to L1), ATTR.RD of a blocked page is a fault-like exit the host re-enters.
        b = FuzzInputBuilder(config: 0)
        prepareL2(&b)
        b.seamcall(rax: 7, [pageA])
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        b.l2Events([(.read, 0x0700_0000_0000_0000)])
        b.host(.resumeL1)
        b.tdcall(rax: 23, [pageA])
        b.host(.leave)
        b.seamcall(rax: 38)  // TDH.MEM.TRACK
        b.seamcall(rax: 39, [pageA])
        b.seamcall(rax: 0, [0x20_0000_0000])  // TDH.VP.ENTER: L1 runs ATTR.RD again
        b.tdcall(rax: 23, [pageA])
        b.seamcall(rax: 7, [pageA + 0x3000])
        b.seamcall(rax: 38)
        b.seamcall(rax: 29, [pageA + 0x3000])  // TDH.MEM.PAGE.REMOVE
        seeds["host-block-remove"] = b
        // TDG.VP.VMCALL: the host answers it, or leaves the vCPU waiting until a later TDH.VP.ENTER.
        b = FuzzInputBuilder(config: 0)
        b.tdcall(rax: 0, [0xFC00, 0, 0, 0, 0, 10])
        b.host(.enter, r10: 0, r11: 7)
        b.tdcall(rax: 0, [0xFC00, 0, 0, 0, 0, 12])
        b.host(.leave)
        b.tdcall(rax: 1)  // the vCPU waits for the host: SOFTSEAM_ESTATE
        b.seamcall(rax: 0, [0x20_0000_0000])
        b.tdcall(rax: 1)
        seeds["vmcall-host"] = b
        // Undo paths and misuse: an L2 source that gives up, a malformed L2 event, vCPUs and memory the TD lacks.
        b = FuzzInputBuilder(config: 0)
        prepareL2(&b)
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        b.l2Events([(.write, 0x0700_0000_1100_0000)])
        b.l2Stop()
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        b.l2Events([(.exception, 0x0200)])  // vector 2 is "nmi", not an exception: malformed
        b.tdcall(vcpu: 0xF7, rax: 1)
        b.store(gpa: 0x8000_0010_0000, size: 4, value: 1)
        b.seamcall(rax: 0, [0x20_0000_2000])
        seeds["undo-and-misuse"] = b
        // PEND_NMI and L1's interrupt state around failing and interruptible TDCALLs.
        b = FuzzInputBuilder(config: 0)
        b.pendNMI()
        b.tdcall(rax: 1 | 9 << 16)
        b.seamcall(rax: 43, [0x20_0000_0000, 0x2020_0000_0000_000B, 1, 1])  // TDH.VP.WR PEND_NMI
        b.tdcall(rax: 24, [pageA, 1, 0])
        b.l1InterruptState(rvi: 0x31, ppr: 0)
        b.tdcall(rax: 6, [0x40_0001])  // a 2M ACCEPT with an interrupt pending: interrupted
        b.tdcall(rax: 25, [1 << 52, pageA + 0x1000])
        seeds["nmi-interrupts"] = b
        // On-demand L2 SEPT with EPT-violation TD exits for VM1 and VM3: ATTR.WR meets missing L2 paging pages.
        b = FuzzInputBuilder(config: 1)
        // VM3's walk fails: a TD exit; the host adds L2 SEPT pages (TDH.MEM.SEPT.ADD version 1, R11 = VM3's
        // page) and re-enters, and L1 runs the ATTR.WR again.
        b.tdcall(rax: 24, [pageA, 0x8003_0000_0000_0000, 0x3_0000_0000_0000])
        b.hostSEAMCALL(rax: 0x1_0003, [0x10_0001, 0, ~0, ~0, ~0, 0x3100_0000])
        b.host(.leave)
        b.seamcall(rax: 0, [0x20_0000_0000])
        b.tdcall(rax: 24, [pageA, 0x0000_8003_0000_0000, 0x3_0000_0000])  // VM2: L2_SEPT_WALK_FAILED
        b.tdcall(rax: 6, [0x20_0000])
        seeds["sept-on-demand"] = b
        // Before TDH.MR.FINALIZE: TDH.MEM.PAGE.ADD, then the finalize, then L1 runs.
        b = FuzzInputBuilder(config: 2)
        b.tdcall(rax: 1)
        b.seamcall(rax: 2, [0x10_8000, 0, 0x3200_0000, 0x3300_0000])
        b.seamcall(rax: 17)
        b.tdcall(rax: 1)
        b.tdcall(rax: 11, [0, 0x9010_0001_0000_0005])  // TDG.SYS.RD
        seeds["before-finalize"] = b
        // The library's built-in host: TDG.VP.VMCALL<MapGPA>, then a cross-TD trap of TDG.SERVTD.RD.
        b = FuzzInputBuilder(config: 0, builtInHost: true)
        b.tdcall(rax: 0, [0xFC00, 0, 0, 0, 0, 0x10001, 0x8000_0010_0000, 0x1000])
        b.tdcall(rax: 18)
        b.tdcall(rax: 12, [0, 0, 0])
        seeds["builtin-host"] = b
        // The first finding of fuzz-cabi, kept as a seed (resumeL1AfterAnL1ExitFailsBeforeTheEpochIsAdjusted).
        seeds["resume-l1-after-l1-exit"] = resumeL1AfterL1Exit
        seeds["invvpid-partial-flush"] = invvpidPartialFlush
        return seeds
    }()

    /// Traces/fuzz/cabi holds exactly the seeds above, byte for byte (set SOFTSEAM_WRITE_FUZZ_SEEDS=1 to write
    /// them after changing the input layout), and each runs without a violation.
    @Test func theSeedCorpusIsTheBuildersOutputAndRunsClean() throws {
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["SOFTSEAM_WRITE_FUZZ_SEEDS"] != nil {
            try fm.createDirectory(atPath: Self.seedDirectory, withIntermediateDirectories: true)
            for (name, b) in Self.seeds {
                try Data(b.bytes).write(to: URL(fileURLWithPath: Self.seedDirectory + "/" + name), options: .atomic)
            }
        }
        let files = try fm.contentsOfDirectory(atPath: Self.seedDirectory).sorted()
        #expect(files == Self.seeds.keys.sorted())
        for (name, b) in Self.seeds {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.seedDirectory + "/" + name)))
            #expect(bytes == b.bytes, "Traces/fuzz/cabi/\(name) is not what its builder writes")
            #expect(bytes.count <= 1024, "\(name): a seed should be small")
            let (_, violation) = Self.run(b)
            #expect(violation == nil, "\(name): \(violation?.description ?? "")")
        }
    }

    /// Together the seeds reach what the fuzzer should start from: L2 running on events from the input, TD
    /// exits answered by the harness's host, completed calls with success and with error statuses, and each
    /// kind of C result the harness checks.
    @Test func theSeedsReachL2TDExitsAndEveryKindOfResult() {
        var results = Set<Int32>()
        var (l2, exits, successes, errors) = (0, 0, 0, 0)
        for name in Self.seeds.keys.sorted() {
            let (h, _) = Self.run(Self.seeds[name]!)
            l2 += h.l2Answers
            exits += h.tdExits
            for c in h.calls {
                results.insert(c.result)
                guard c.result == SOFTSEAM_OK, c.function.hasSuffix("call") else { continue }
                if c.output.rax >> 63 == 1 { errors += 1 } else if c.output.rax == 0 { successes += 1 }
            }
        }
        #expect(l2 >= 5 && exits >= 3 && successes >= 15 && errors >= 5, "\(l2) \(exits) \(successes) \(errors)")
        let wanted: Set<Int32> = [
            SOFTSEAM_OK, SOFTSEAM_TD_EXIT, SOFTSEAM_INTERRUPTED, SOFTSEAM_ENOVCPU, SOFTSEAM_ESTATE, SOFTSEAM_EMEMORY,
            SOFTSEAM_EL2,
        ]
        #expect(wanted.isSubset(of: results), "missing: \(wanted.subtracting(results).sorted())")
    }
}
