/// Known bugs the fuzzer's tests plant in the model one at a time, to show that the isolation oracle finds
/// each (SEAMFuzz; README "Fuzzing"). Compiled in only when `SOFTSEAM_PLANTED_BUGS` is defined, which
/// Package.swift does for debug builds: a release build has no switch at all, so the hot paths it sits on
/// (ATTR.WR, ACCEPT, RANGE.BLOCK's effect on L2 accesses) cost nothing, and the switch is never machine state
/// (not hashed, not in snapshots). The bug is chosen per task (`withPlanted`), so parallel tests do not see
/// each other's.
public enum PlantedBug: String, CaseIterable, Sendable {
    /// ATTR.WR accepts W without R (`is_gpa_attr_legal` ignored for that case).
    case wWithoutR = "w-without-r"
    /// An alias created on a PENDING page is not L2-blocked.
    case pendingAliasNotBlocked = "pending-alias-not-blocked"
    /// ACCEPT leaves the page's aliases L2-blocked.
    case acceptKeepsAliasesBlocked = "accept-keeps-aliases-blocked"
    /// An ATTR.WR rejected with PAGE_ATTR_INVALID still commits VM1's change.
    case rejectedAttrWrCommitsFirstVM = "rejected-attr-wr-commits-vm1"
    /// After RANGE.BLOCK an L2 access through an alias still completes.
    case blockLeavesAliasesReachable = "block-leaves-aliases-reachable"
    /// ATTR.WR ignores the INVEPT flags of R8.
    case inveptFlagIgnored = "invept-flag-ignored"

    /// Whether this build can plant bugs (a debug build).
    public static var isAvailable: Bool {
        #if SOFTSEAM_PLANTED_BUGS
            true
        #else
            false
        #endif
    }

    #if SOFTSEAM_PLANTED_BUGS
        @TaskLocal static var current: PlantedBug?
    #endif

    /// Runs `body` with `bug` planted (nil: none) for the current task or thread. In a build without the
    /// switch, `body` runs on the model as it is.
    public static func withPlanted<R>(_ bug: PlantedBug?, _ body: () throws -> R) rethrows -> R {
        #if SOFTSEAM_PLANTED_BUGS
            try $current.withValue(bug, operation: body)
        #else
            try body()
        #endif
    }

    /// Whether `bug` is planted now; a constant false without the switch.
    @inline(__always)
    static func isPlanted(_ bug: PlantedBug) -> Bool {
        #if SOFTSEAM_PLANTED_BUGS
            current == bug
        #else
            false
        #endif
    }
}
