/// The reconciler: observe, diff, plan and apply. Filled by the "Reconciler core" issue.
///
/// This module is part of the layout in DESIGN.md; it starts empty and grows with its issue.
public enum ReconcilerModule {
    /// The module name, for diagnostics.
    public static let name = "Reconciler"
}
