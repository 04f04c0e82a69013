/// Which part of the product wrote an intent. Several writers share one journal file (`apply`,
/// and later the daemon, as ``reconciler``; the control plane's tunnel provisioning as
/// ``registration``); each settles and tidies only its own pending intents, so one never closes
/// an intent another is still working on.
public struct JournalWriter: Hashable, Sendable, RawRepresentable, CustomStringConvertible {
    /// The name stored in the journal.
    public let rawValue: String

    /// Creates a writer from its stored name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The reconcile cycle's executor (`apply`, the daemon).
    public static let reconciler = JournalWriter(rawValue: "reconciler")
    /// The control plane's registration (tunnel provisioning for attested agents).
    public static let registration = JournalWriter(rawValue: "registration")

    public var description: String { self.rawValue }
}
