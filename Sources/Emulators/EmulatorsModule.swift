/// Loopback emulators of GCE and Cloudflare. Filled by the "Cloud providers" issue.
///
/// This module is part of the layout in DESIGN.md; it starts empty and grows with its issue.
public enum EmulatorsModule {
    /// The module name, for diagnostics.
    public static let name = "Emulators"
}
