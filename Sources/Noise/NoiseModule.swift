/// Noise_XX_25519_ChaChaPoly_SHA256, IO-free. Filled by the "Secure registration" issue.
///
/// This module is part of the layout in DESIGN.md; it starts empty and grows with its issue.
public enum NoiseModule {
    /// The module name, for diagnostics.
    public static let name = "Noise"
}
