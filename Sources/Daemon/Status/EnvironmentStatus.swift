import Reconciler

/// One environment as `GET /status` reports it.
public struct EnvironmentStatus: Sendable, Hashable, Codable {
    /// The environment's name.
    public var name: String
    /// Its conditions.
    public var conditions: ConditionSet
    /// The newest revision the source has seen at the branch head.
    public var observedRevision: Revision?
    /// The revision whose fleet file the environment is reconciled towards.
    public var appliedRevision: Revision?
    /// True while an operator has suspended reconciliation.
    public var suspended: Bool
    /// The last pass, once one has run.
    public var lastPass: PassSummary?
    /// The spec's diagnostics at the observed revision, when it is invalid (file:line:column).
    public var diagnostics: [String]

    /// An environment nothing is known of yet.
    public init(name: String, now: Int64) {
        self.name = name
        self.conditions = ConditionSet(now: now)
        self.suspended = false
        self.diagnostics = []
    }
}
