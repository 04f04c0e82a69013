/// TDX quote parsing and verification. Filled by the "Attestation" issue.
///
/// This module is part of the layout in DESIGN.md; it starts empty and grows with its issue.
public enum AttestationModule {
    /// The module name, for diagnostics.
    public static let name = "Attestation"
}
