/// One agent in the control plane's registry.
public struct ObservedAgent: Sendable, Hashable {
    /// Registered and heartbeating, or silent past the timeout.
    public enum Health: String, Sendable, Hashable {
        /// Heartbeats arrive.
        case healthy
        /// No heartbeat within the timeout: not dead yet, but not trusted to be serving.
        case stale
    }

    /// The VM name the agent attested for.
    public var vm: String
    /// Its health.
    public var health: Health
    /// The last heartbeat, in seconds since 1970.
    public var lastSeen: Int64

    /// Creates an observed agent.
    public init(vm: String, health: Health, lastSeen: Int64) {
        self.vm = vm
        self.health = health
        self.lastSeen = lastSeen
    }
}
