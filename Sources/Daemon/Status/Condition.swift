/// One kstatus-style condition of an environment: a type, a status, a machine-readable reason
/// and a sentence for people, and when the status last changed.
public struct Condition: Sendable, Hashable, Codable {
    /// `True`, `False` or `Unknown`, spelled as Kubernetes spells them.
    public enum Status: String, Sendable, Hashable, Codable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    /// Which condition.
    public var type: ConditionType
    /// Its status.
    public var status: Status
    /// A CamelCase reason (`NonFastForward`, `FetchFailed`, `InvalidSpec`, `Converged`).
    public var reason: String
    /// What is true, and for a problem, what to do about it.
    public var message: String
    /// When ``status`` last changed, in seconds since 1970 (a new reason or message alone does not
    /// move it).
    public var lastTransitionTime: Int64

    /// Creates a condition.
    public init(type: ConditionType, status: Status, reason: String, message: String, lastTransitionTime: Int64) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}
