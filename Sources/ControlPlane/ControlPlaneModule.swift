/// The control-plane service. Filled by the "Secure registration" issue.
///
/// This module is part of the layout in DESIGN.md; it starts empty and grows with its issue.
public enum ControlPlaneModule {
    /// The module name, for diagnostics.
    public static let name = "ControlPlane"
}
