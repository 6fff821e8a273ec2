/// Spec rows the model is known to disagree with, and why: the reason names what the model does wrong and the fix.
/// The tests run these rows as known issues (they stay visible, do not fail the suite, and are reported as soon as
/// the model agrees, so the entry can be deleted); `softseam conform` counts them apart from new disagreements.
public enum KnownDivergences {
    /// `file#id` → what is wrong and the fix.
    public static let rows: [String: String] = [:]

    /// The reason `row` is listed, if it is (only tables with an `id` column can list rows).
    public static func reason(for row: SpecTable.Row) -> String? {
        guard row.columns.contains("id") else { return nil }
        return rows["\(row.file)#\(row["id"])"]
    }
}
