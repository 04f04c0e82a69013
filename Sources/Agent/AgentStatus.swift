import Synchronization

/// What the agent reports on `/health` and in heartbeats; shared by its services.
public final class AgentStatus: Sendable {
    /// A snapshot.
    public struct Snapshot: Sendable, Hashable {
        /// The VM name.
        public var vm: String
        /// True once registered.
        public var registered = false
        /// The id the control plane gave.
        public var agentID: String?
        /// The public hostname.
        public var hostname: String?
        /// True once the tunnel connector reports ready.
        public var connectorReady = false
        /// Registration attempts so far.
        public var attempts = 0
        /// The last error, if the last attempt failed.
        public var lastError: String?
        /// Heartbeats sent.
        public var heartbeats = 0
        /// Connector starts so far (restarts included).
        public var connectorStarts = 0
        /// Failed registration attempts since the last success (drives the backoff).
        public var consecutiveFailures = 0
        /// Where the current attempt is (nil before the first).
        public var phase: RegistrationPhase?
    }

    private let state: Mutex<Snapshot>
    private let token = Mutex<String?>(nil)

    /// The tunnel token from the bootstrap config (a secret: never in a snapshot or a log).
    public var tunnelToken: String? {
        get { self.token.withLock { $0 } }
        set { self.token.withLock { $0 = newValue } }
    }

    /// A fresh status for VM `vm`.
    public init(vm: String) { self.state = Mutex(Snapshot(vm: vm)) }

    /// The current snapshot.
    public var snapshot: Snapshot { self.state.withLock { $0 } }

    /// Changes the status; returns what `change` returns.
    @discardableResult
    public func update<Result: Sendable>(_ change: (inout Snapshot) -> Result) -> Result { self.state.withLock { change(&$0) } }
}
