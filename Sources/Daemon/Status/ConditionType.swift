/// The conditions an environment reports (`docs/status.md`).
public enum ConditionType: String, Sendable, Hashable, Codable, CaseIterable {
    /// The fleet file at the source's head was fetched and is valid.
    case sourceReady = "SourceReady"
    /// The commits up to the head carry allowed signatures (True with reason `NotRequired` when
    /// no signers are configured).
    case sourceVerified = "SourceVerified"
    /// The last pass found nothing to change at the applied revision.
    case ready = "Ready"
    /// A pass is running.
    case reconciling = "Reconciling"
    /// The environment will not move on by itself: an operator must act (a force-push to approve,
    /// an unsigned commit, a refused plan).
    case stalled = "Stalled"
}
