/// Spec rows the model is known to disagree with, and why: the reason names what the model does wrong and the fix.
/// The tests run these rows as known issues (they stay visible, do not fail the suite, and are reported as soon as
/// the model agrees, so the entry can be deleted); `softseam conform` counts them apart from new disagreements.
public enum KnownDivergences {
    /// `file#id` → what is wrong and the fix.
    public static let rows: [String: String] = [
        "exit-routing.tsv#sgx-conflict":
            "Machine.l1ExitReasons lacks exit reason 71 (SGX conflict), an unconditional L2→L1 exit in reference §5.1; "
            + "the model makes the TD fatal. Fix: add 71 to l1ExitReasons (Machine+L2Routes.swift).",
        "exit-routing.tsv#notification-context-invalid":
            "A NOTIFICATION exit (75) with qualification bit 0 (VM context invalid) makes the TD fatal with "
            + "NON_RECOVERABLE_TD (reference §13 B10); the model sends it to the host. Fix: in otherExit, reason 75 with "
            + "qualification bit 0 → fatalTDExit(.nonRecoverableTD, reason: 75).",
        "exit-routing.tsv#cr0-native-gp-no-exit": crExitConditions,
        "exit-routing.tsv#cr4-no-owned-bit-no-exit": crExitConditions,
        "exit-routing.tsv#cr3-without-exiting": crExitConditions,
        "exit-routing.tsv#cr8-without-exiting": crExitConditions,
        "exit-routing.tsv#clts-ts-shadow-clear": crExitConditions,
        "exit-routing.tsv#lmsw-owned-pe-clear-no-exit": crExitConditions,
    ]

    /// The reason `row` is listed, if it is (only tables with an `id` column can list rows).
    public static func reason(for row: SpecTable.Row) -> String? {
        guard row.columns.contains("id") else { return nil }
        return rows["\(row.file)#\(row["id"])"]
    }

    static let crExitConditions =
        "The model routes every MOV CR, CLTS and LMSW as if it VM-exited; the CPU exits only under SDM 26.1.3: MOV to "
        + "CR0/CR4 when a bit set in the VMCS guest/host mask (base | L1, §13 O8) differs from the VMCS read shadow; "
        + "MOV to/from CR3 when CR3-load/store exiting (primary bits 15/16) is set; MOV to/from CR8 when CR8-load/store "
        + "exiting (bits 19/20) is set; CLTS when TS is set in both mask and shadow; LMSW when (mask & source & ~shadow) "
        + "has bit 0 or (source ^ shadow) & mask has any of bits 3:1. Without an exit the instruction completes in L2: "
        + "the masked CR bits keep their values, CR3 is loaded, CR8 writes VTPR (vAPIC + 0x80) = (value & 0xF) << 4, "
        + "RIP advances; a native #GP (e.g. PG without PE) is an ordinary exception, exiting to L1 with reason 0 when "
        + "the bitmap intercepts it. Fix: check these conditions first in movToCR/movFromCR/clts/lmsw."
}
