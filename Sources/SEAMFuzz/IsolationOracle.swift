import SEAMCore
import SEAMTypes

/// The isolation oracle: after every step, checks the model against what the calls so far have reported.
///
///     step's inputs + outputs ──▶ shadow (pages, aliases, flushes: built from the reported results only)
///                                   │
///     machine after the step ───────┴──▶ compare ──▶ nil, or the first `Violation`
///
/// The shadow is the oracle's own account of the GPA space, built from the statuses and output registers of
/// the calls (never from the model's permission functions): a page exists from the host's successful AUG
/// or ADD until its REMOVE; ATTR.WR's reported RDX says what each alias now grants; BLOCK, UNBLOCK and
/// ACCEPT block and unblock aliases as the ABI spec describes (tdx-module
/// `src/vmm_dispatcher/api_calls/tdh_mem_range_block.c`, `tdh_mem_range_unblock.c`,
/// `src/td_dispatcher/vm_exits/tdg_mem_page_accept.c`). The invariants (DESIGN "Reliability"):
///
/// - an L2 access completes only if the VM's alias, as reported, grants it; otherwise it takes the route
///   the module gives (L2→L1 EPT violation for a mapped page without a grant or a pending page, TD exit for
///   a page that is not mapped, blocked, removed, shared or beyond GPAW);
/// - an alias exists only on a page L1 has mapped or has pending, and on a pending page it is L2-blocked;
/// - a removed or blocked page is reachable by no L2 (every alias of a blocked page is L2-blocked);
/// - shared GPAs appear in no SEPT;
/// - an alias ATTR.WR reports is legal (`is_gpa_attr_legal` of the ABI spec: VALID, no reserved bit, W and
///   PWA only with R, no SVE), and the model holds exactly what the calls reported;
/// - a rejected call (status with bit 63 set) changes nothing: the state hash is unchanged;
/// - ATTR.RD reads back what ATTR.WR reported;
/// - each VM's count of L2 SEPT flushes is what the INVEPT requests asked for.
///
/// `FuzzExecution` adds the checks over a whole run (the incremental hash against a from-scratch hash, a
/// snapshot restored mid-run giving the same hashes).
public struct IsolationOracle: Sendable {
    /// What the oracle believes of one L1 leaf.
    struct Page: Sendable, Equatable {
        enum State: UInt8, Sendable { case mapped, pending, blocked, pendingBlocked }
        /// `GPASpace.leafKey` of the leaf (its base GPA >> 12).
        var key: UInt64
        var level: PageLevel
        var state: State
        /// Bit vm − 1: VM vm has an alias.
        var aliased: UInt8 = 0
        /// Bit vm − 1: VM vm's alias is L2-blocked.
        var blocked: UInt8 = 0
        /// The attributes ATTR.WR reported, VM vm's in bits 16·vm + 15 : 16·vm (`attrs[vm]`).
        var attrs = Attrs()

        var base: UInt64 { key << 12 }
        var size: UInt64 { 1 << (12 + 9 * UInt64(level.rawValue)) }
        func contains(_ gpa: UInt64) -> Bool { gpa >= base && gpa - base < size }
    }

    /// Three 16-bit attribute fields in one word, indexed by VM 1…3 (one compare per page in `state`).
    struct Attrs: Sendable, Equatable {
        var word: UInt64 = 0
        subscript(vm: Int) -> UInt16 {
            get { UInt16(truncatingIfNeeded: word >> (16 * UInt64(vm))) }
            set { word = word & ~(0xFFFF << (16 * UInt64(vm))) | UInt64(newValue) << (16 * UInt64(vm)) }
        }
    }

    /// One broken invariant.
    public struct Violation: Sendable, Equatable, CustomStringConvertible {
        /// Which invariant (a short stable name: `access`, `alias-state`, `rejected-changed`, …).
        public var invariant: String
        public var message: String
        public var description: String { "\(invariant): \(message)" }
    }

    let numL2VMs: Int
    var pages: [Page] = [] {
        didSet { shadowChanged = true }  // in place: a didSet that does not read oldValue copies nothing
    }
    /// `GPASpace.tableKey` of each non-leaf entry the host blocked (walks stop there).
    var blockedTables: [UInt64] = []
    /// The L2 SEPT flushes each VM should have had (index 0 unused).
    var flushes = PerVM()
    /// Whether the shadow's pages changed since the last page-by-page check.
    var shadowChanged = true
    /// The model's `GPASpace.leafVersion` when every page last agreed with the shadow: while neither the
    /// shadow nor any leaf has changed since, they still agree.
    var agreedLeafVersion: UInt64?
    /// The state hash after the last step, when it was a rejected call (checked unchanged): `takeUnchanged`.
    var unchanged: UInt64?

    /// The oracle for a TD built from `config` (its regions are mapped or pending 4K pages, no alias).
    public init(config: MachineConfig) {
        numL2VMs = config.numL2VMs
        for region in config.memory {
            precondition(region.pageLevel == .size4K, "the fuzz TD maps 4K pages")
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: 0x1000) {
                pages.append(Page(key: gpa >> 12, level: .size4K, state: region.state == .mapped ? .mapped : .pending))
            }
        }
    }

    // MARK: Lookups

    func index(key: UInt64, level: PageLevel) -> Int? {
        pages.firstIndex { $0.key == key && $0.level == level }
    }

    func index(containing gpa: UInt64) -> Int? { pages.firstIndex { $0.contains(gpa) } }

    /// Whether a blocked non-leaf entry lies above the level-`level` entry of `gpa`.
    func underBlockedTable(_ gpa: UInt64, level: PageLevel) -> Bool {
        guard !blockedTables.isEmpty else { return false }
        return (level.rawValue + 1...4).contains { blockedTables.contains(GPASpace.tableKey(gpa, PageLevel($0))) }
    }

    /// The ABI spec's legality of a resulting GPA_ATTR field (`is_gpa_attr_legal`), written out here
    /// rather than calling the model's own check.
    static func isLegal(_ field: UInt16) -> Bool {
        let r: UInt16 = 1, w: UInt16 = 2, pwa: UInt16 = 0x20, sve: UInt16 = 0x80, valid: UInt16 = 0x8000
        if field & valid == 0 { return field == 0 }
        if field & 0x7F00 != 0 || field & sve != 0 { return false }
        if field & (w | pwa) != 0 && field & r == 0 { return false }
        return true
    }

    // MARK: Steps

    /// Checks an L1 TDCALL: `input` the registers L1 gave, `output` L1's registers after it, `before` the
    /// state hash before it. Updates the shadow from the reported result.
    mutating func tdcall(
        _ input: RegisterFile, _ output: RegisterFile, _ outcome: TDCallOutcome, before: UInt64,
        machine: inout Machine
    ) -> Violation? {
        guard case .completed = outcome else {
            if case .enteredL2(let vm) = outcome, input.rax == UInt64(Leaf.vpEnter.rawValue), input.rcx & 3 == 1 {
                flushes[vm] &+= 1  // INVD_TRANSLATIONS 1: INVEPT single-context on entry
            }
            return state(&machine)
        }
        let status = output.rax
        if status >> 63 != 0 {
            return rejected(FuzzOp.leafName(tdcall: input.rax), status, before: before, machine: &machine)
        }
        switch input.rax {
        case UInt64(Leaf.memPageAttrWr.rawValue):
            if status == 0, let v = attrWr(input, output) { return v }
        case UInt64(Leaf.memPageAttrRd.rawValue):
            if status == 0, let v = attrRd(input, output) { return v }
        case UInt64(Leaf.memPageAccept.rawValue):
            if status == 0 {
                let info = PageInfo(rawValue: input.rcx)
                guard let i = index(key: GPASpace.leafKey(info.gpa, info.level), level: info.level),
                    pages[i].state == .pending, !underBlockedTable(info.gpa, level: info.level)
                else {
                    return Violation(
                        invariant: "accept", message: "ACCEPT of \(info) succeeded on a page that is not pending")
                }
                pages[i].state = .mapped
                pages[i].blocked = 0
            }
        case UInt64(Leaf.vpInvEPT.rawValue):
            if status == 0 { for vm in 1...3 where input.rcx >> vm & 1 != 0 { flushes[vm] &+= 1 } }
        case UInt64(Leaf.vpEnter.rawValue):
            // Completed without an error: L2 exited to L1 at once (a VM-entry failure) after the entry flushed,
            // unless the pending-interrupt check stopped it first.
            let vm = Int(input.rcx >> 52 & 3)
            if input.rcx & 3 == 1, status != TDXStatus.pendingInterrupt.rawValue, vm >= 1, vm <= numL2VMs {
                flushes[vm] &+= 1
            }
        default: break
        }
        return state(&machine)
    }

    /// ATTR.WR completed with TDX_SUCCESS: every alias it reports must be legal, on a page that exists, is
    /// mapped or pending and is not under a blocked table; the shadow takes the reported attributes.
    mutating func attrWr(_ input: RegisterFile, _ output: RegisterFile) -> Violation? {
        let info = PageInfo(rawValue: input.rcx)
        guard let i = index(key: GPASpace.leafKey(info.gpa, info.level), level: info.level),
            pages[i].state == .mapped || pages[i].state == .pending, !underBlockedTable(info.gpa, level: info.level)
        else {
            return Violation(
                invariant: "alias-page",
                message:
                    "ATTR.WR of \(info) succeeded, but that page is not mapped or pending (or lies under a blocked table)"
            )
        }
        if output.rcx >> 62 & 1 != (pages[i].state == .pending ? 1 : 0) {
            return Violation(
                invariant: "attr-wr", message: "ATTR.WR of \(info) reported PENDING wrongly: RCX \(hex(output.rcx))")
        }
        for vm in 1...3 {
            guard input.rdx >> (16 * UInt64(vm) + 15) & 1 != 0 else { continue }  // VM not named: unchanged
            guard vm <= numL2VMs else {
                return Violation(invariant: "attr-wr", message: "ATTR.WR succeeded naming VM\(vm), which the TD lacks")
            }
            // The ABI's merge: new = (current & ~mask) | (input & mask), VALID always taken from RDX.
            let requested = UInt16(truncatingIfNeeded: input.rdx >> (16 * UInt64(vm)))
            let mask = UInt16(truncatingIfNeeded: input.r8 >> (16 * UInt64(vm))) & 0x7FFF | 0x8000
            let field = UInt16(truncatingIfNeeded: output.rdx >> (16 * UInt64(vm)))
            let bit: UInt8 = 1 << (vm - 1)
            let aliased = pages[i].aliased & bit != 0
            let new = aliased ? (pages[i].attrs[vm] & ~mask) | (requested & mask) : requested & mask
            if new & 0xF != 0 {
                guard Self.isLegal(new) else {
                    return Violation(
                        invariant: "attr-legal",
                        message:
                            "ATTR.WR of \(info) succeeded giving VM\(vm) the illegal attributes \(hex(UInt64(new)))")
                }
                guard field == new else {
                    return Violation(
                        invariant: "attr-wr",
                        message:
                            "ATTR.WR of \(info) reported VM\(vm) \(hex(UInt64(field))); the merge of input and mask gives \(hex(UInt64(new)))"
                    )
                }
                if !aliased {
                    pages[i].aliased |= bit
                    if pages[i].state == .pending { pages[i].blocked |= bit }  // created L2-blocked
                }
                pages[i].attrs[vm] = new
            } else if aliased {
                guard field == 0x8000 else {
                    return Violation(
                        invariant: "attr-wr",
                        message: "ATTR.WR of \(info) removed VM\(vm)'s alias but reported \(hex(UInt64(field)))")
                }
                pages[i].aliased &= ~bit
                pages[i].blocked &= ~bit
                pages[i].attrs[vm] = 0
            }
        }
        for vm in 1...3 where input.r8 >> (16 * UInt64(vm) + 15) & 1 != 0 { flushes[vm] &+= 1 }
        return nil
    }

    /// ATTR.RD completed with TDX_SUCCESS: it must read back the leaf and the attributes ATTR.WR reported.
    func attrRd(_ input: RegisterFile, _ output: RegisterFile) -> Violation? {
        let gpa = input.rcx & ~0xFFF
        guard let i = index(containing: gpa), pages[i].state != .pendingBlocked && pages[i].state != .blocked,
            !underBlockedTable(gpa, level: pages[i].level)
        else {
            return Violation(
                invariant: "attr-rd", message: "ATTR.RD of \(hex(gpa)) succeeded on no mapped or pending page")
        }
        let p = pages[i]
        var rdx: UInt64 = 0
        for vm in 1...3 where p.aliased >> (vm - 1) & 1 != 0 { rdx |= UInt64(p.attrs[vm]) << (16 * UInt64(vm)) }
        let rcx = p.base | UInt64(p.level.rawValue) | (p.state == .pending ? 1 << 62 : 0)
        if output.rdx != rdx || output.rcx != rcx {
            return Violation(
                invariant: "attr-rd",
                message:
                    "ATTR.RD of \(hex(gpa)) read RCX \(hex(output.rcx)) RDX \(hex(output.rdx)); the calls reported RCX \(hex(rcx)) RDX \(hex(rdx))"
            )
        }
        return nil
    }

    /// A call that failed (status bit 63) must have changed nothing: the state hash is the one from before it.
    /// `name` is built only for the message: building it for every failed
    /// call cost about 450 instructions per execution (fuzz_execs, callgrind).
    mutating func rejected(
        _ name: @autoclosure () -> String, _ status: UInt64, before: UInt64, machine: inout Machine
    ) -> Violation? {
        let after = machine.cachedStateHash()
        guard after == before else {
            return Violation(
                invariant: "rejected-changed",
                message:
                    "\(name()) failed with \(TDXStatus(status)) but changed the state (hash \(hex(before)) → \(hex(after)))"
            )
        }
        unchanged = after
        return state(&machine)
    }

    /// Takes the state hash a rejected call left (`rejected`): the hash before the next step, known without
    /// reading the machine again. Nil after any other step.
    mutating func takeUnchanged() -> UInt64? {
        defer { unchanged = nil }
        return unchanged
    }

    /// Checks a host SEAMCALL and updates the shadow from its status.
    mutating func seamcall(_ input: RegisterFile, _ output: RegisterFile, before: UInt64, machine: inout Machine)
        -> Violation?
    {
        let status = output.rax
        let leaf = SEAMCallLeaf(UInt16(truncatingIfNeeded: input.rax))
        if status >> 63 != 0 { return rejected("\(leaf)", status, before: before, machine: &machine) }
        guard status == 0 else { return state(&machine) }
        let info = PageInfo(rawValue: input.rcx)
        let key = GPASpace.leafKey(info.gpa, info.level)
        let i = index(key: key, level: info.level)
        switch leaf {
        case .memPageAug, .memPageAdd:
            if i != nil || index(containing: info.gpa) != nil {
                return Violation(invariant: "host", message: "\(leaf) of \(info) succeeded over an existing page")
            }
            pages.append(Page(key: key, level: info.level, state: leaf == .memPageAug ? .pending : .mapped))
        case .memRangeBlock:
            if let i {
                pages[i].state = pages[i].state == .pending ? .pendingBlocked : .blocked
                for vm in 1...3 where pages[i].aliased >> (vm - 1) & 1 != 0 {
                    // An alias already L2-blocked has its parked R/W/Xs/Xu overwritten with the live zeros
                    // (tdh_mem_range_block.c); a live one parks its permissions.
                    if pages[i].blocked >> (vm - 1) & 1 != 0 { pages[i].attrs[vm] &= ~0xF }
                }
                pages[i].blocked = pages[i].aliased
            } else if info.level != .size4K {
                blockedTables.append(GPASpace.tableKey(info.gpa, info.level))
            } else {
                return Violation(invariant: "host", message: "BLOCK of \(info) succeeded on no page")
            }
        case .memRangeUnblock:
            if let i {
                if pages[i].state == .blocked {
                    pages[i].state = .mapped
                    pages[i].blocked = 0
                } else {
                    pages[i].state = .pending  // PENDING_BLOCKED → PENDING, aliases stay blocked until ACCEPT
                }
            } else if let t = blockedTables.firstIndex(of: GPASpace.tableKey(info.gpa, info.level)) {
                blockedTables.remove(at: t)
            } else {
                return Violation(invariant: "host", message: "UNBLOCK of \(info) succeeded on nothing blocked")
            }
        case .memPageRemove:
            guard let i else { return Violation(invariant: "host", message: "REMOVE of \(info) succeeded on no page") }
            pages.remove(at: i)
        default: break
        }
        return state(&machine)
    }

    /// Checks an L2 memory access: its outcome against what the reported aliases grant.
    mutating func access(vm: Int, _ a: MemoryAccess, _ outcome: L2Outcome, machine: inout Machine) -> Violation? {
        enum Route: String { case completes = "completes in L2", l1 = "exits to L1", host = "exits to the host" }
        let mbec = SecondaryControls(machine.vcpus[0].vmcs(vm, .secondaryProcessorControls) ?? 0)
            .contains(.modeBasedExecuteControlForEPT)
        let needed: UInt16 =
            switch a.kind {
            case .read: 1
            case .write: 2
            case .fetch: a.isUser && mbec ? 8 : 4
            }
        let gpa = a.gpa
        let expected: Route
        let why: String
        if gpa & (1 << 47) != 0 || gpa >> 52 != 0 {
            (expected, why) = (.host, "a shared GPA (the fuzz host maps no shared memory)")
        } else if gpa >= 1 << 47 {
            (expected, why) = a.gla != nil ? (.l1, "a GPA beyond GPAW with a GLA") : (.host, "a GPA beyond GPAW")
        } else if let i = index(containing: gpa) {
            let p = pages[i]
            let bit: UInt8 = 1 << (vm - 1)
            if underBlockedTable(gpa, level: p.level) {
                (expected, why) = (.host, "a page under a blocked table")
            } else {
                switch p.state {
                case .pending: (expected, why) = (.l1, "a pending page")
                case .blocked, .pendingBlocked: (expected, why) = (.host, "a blocked page")
                case .mapped:
                    if p.aliased & bit != 0 && p.blocked & bit == 0 && p.attrs[vm] & needed == needed {
                        (expected, why) = (.completes, "the alias grants it (\(hex(UInt64(p.attrs[vm]))))")
                    } else {
                        (expected, why) = (
                            .l1,
                            p.aliased & bit == 0
                                ? "no alias"
                                : "the alias \(hex(UInt64(p.attrs[vm])))\(p.blocked & bit != 0 ? " (L2-blocked)" : "") does not grant it"
                        )
                    }
                }
            }
        } else {
            (expected, why) = (.host, "no page (never added, or removed)")
        }
        let actual: Route
        switch outcome {
        case .continued: actual = .completes
        case .exitToL1: actual = .l1
        case .tdExit: actual = .host
        case .moduleHandled: actual = .completes
        }
        if actual != expected {
            return Violation(
                invariant: "access",
                message:
                    "VM\(vm) \(a.kind.name)\(a.isUser ? " (user)" : "") at \(hex(gpa)) \(actual.rawValue); expected it \(expected.rawValue): \(why)"
            )
        }
        if let v = state(&machine) { return v }
        if let i = index(containing: gpa) { return agrees(pages[i], machine.space) }
        return nil
    }

    // MARK: State

    /// The invariants over the whole GPA space, after any step: the flush counts and the number of leaves
    /// always; page by page whenever the shadow or any of the model's leaves (`GPASpace.leafVersion`) changed
    /// since they last agreed. A failed call is also covered by its hash check, an L2 access by the check of
    /// its page (`access`), and a deep run compares every page again at the end (`FuzzExecutor.finalCheck`).
    /// The machine is `inout` here and in the checks below, though they only read it, as in `tdcall` and
    /// `seamcall`: passed by value, each call copied the 528-byte `Machine` (or the GPA space) first, about
    /// 1,400 instructions an execution (fuzz_execs, callgrind).
    mutating func state(_ machine: inout Machine) -> Violation? {
        if machine.l2SEPTFlushes != flushes {
            for vm in 1...3 where machine.l2SEPTFlushes[vm] != flushes[vm] {
                return Violation(
                    invariant: "invept",
                    message:
                        "VM\(vm) had \(machine.l2SEPTFlushes[vm]) L2 SEPT flushes; the INVEPT requests asked for \(flushes[vm])"
                )
            }
        }
        if machine.space.leaves.count != pages.count {
            return Violation(
                invariant: "alias-page",
                message:
                    "the model holds \(machine.space.leaves.count) L1 leaves; the host's calls reported \(pages.count)")
        }
        // Compared again only when the calls or the model changed a page since they last agreed: after every
        // successful call the comparison cost ~1,700 instructions, most of them over unchanged pages
        // (fuzz_execs, callgrind).
        guard shadowChanged || machine.space.leafVersion != agreedLeafVersion else { return nil }
        shadowChanged = false
        if let v = pagesAgree(&machine) { return v }
        agreedLeafVersion = machine.space.leafVersion
        return nil
    }

    /// Every page the shadow holds is in the model as the calls reported it (with the leaf count: and no
    /// other), and no shared GPA is mapped.
    func pagesAgree(_ machine: inout Machine) -> Violation? {
        let space = machine.space  // once: each lookup through `machine` copied the GPA space (callgrind)
        for p in pages { if let v = agrees(p, space) { return v } }
        if space.leaf(containing: FuzzWorld.sharedGPA) != nil {
            return Violation(invariant: "shared", message: "shared GPA \(hex(FuzzWorld.sharedGPA)) is in the SEPT")
        }
        return nil
    }

    /// Page `p` is in the model as the calls reported it.
    func agrees(_ p: Page, _ space: GPASpace) -> Violation? {
        guard let r = space.leaf(at: p.base, level: p.level) else {
            return Violation(invariant: "alias-page", message: "page \(hex(p.base)) is missing from the model")
        }
        if p.key & (1 << 35) != 0 {
            return Violation(invariant: "shared", message: "shared GPA \(hex(p.base)) is in the SEPT")
        }
        let state: Page.State
        switch r.state {
        case .mapped: state = .mapped
        case .pending: state = .pending
        case .blocked: state = .blocked
        case .pendingBlocked: state = .pendingBlocked
        default:
            return Violation(invariant: "alias-page", message: "page \(hex(p.base)) is \(r.state)")
        }
        var held = Page(key: p.key, level: r.level, state: state)
        for vm in 1...3 where r.isAliased(vm: vm) {
            held.aliased |= 1 << (vm - 1)
            if r.isL2Blocked(vm: vm) { held.blocked |= 1 << (vm - 1) }
            held.attrs[vm] = r.attrs(vm: vm).rawValue
        }
        // Independent of the shadow: a pending or blocked page's aliases are all L2-blocked.
        if state != .mapped && held.blocked != held.aliased {
            return Violation(
                invariant: state == .pending ? "pending-alias" : "blocked-reachable",
                message:
                    "page \(hex(p.base)) is \(r.state) but its alias of VM \(firstBit(held.aliased & ~held.blocked)) is not L2-blocked"
            )
        }
        if held != p {
            return Violation(
                invariant: "alias-state",
                message:
                    "page \(hex(p.base)): the model holds \(Self.describe(held)); the calls reported \(Self.describe(p))"
            )
        }
        return nil
    }

    static func describe(_ p: Page) -> String {
        var s = "\(p.state)"
        for vm in 1...3 where p.aliased >> (vm - 1) & 1 != 0 {
            s += " VM\(vm)=\(hex(UInt64(p.attrs[vm])))\(p.blocked >> (vm - 1) & 1 != 0 ? "(blocked)" : "")"
        }
        return s
    }
}

func firstBit(_ x: UInt8) -> Int { x == 0 ? 0 : x.trailingZeroBitCount + 1 }

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
