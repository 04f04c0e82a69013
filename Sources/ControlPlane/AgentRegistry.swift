import Reconciler
import Synchronization

/// The attested agents this control plane knows: when each registered and was last heard from.
/// An agent whose heartbeats stop turns `stale` after ``staleAfter`` — not dead at once: a
/// heartbeat brings it back.
public final class AgentRegistry<C: Clock>: AgentRegistryPort where C.Duration == Duration {
    /// One agent.
    public struct Record: Sendable, Hashable {
        /// The VM it attested for.
        public var vm: String
        /// The id the control plane gave it.
        public var agentID: String
        /// Its public hostname.
        public var hostname: String
        /// The MRTD its quote reported, hex.
        public var mrTD: String
        /// The last heartbeat's status.
        public var status: String
        /// The last heartbeat's workloads.
        public var workloads: [String]
        /// Heartbeats received.
        public var heartbeats: Int
        /// When it was last heard from.
        public var lastSeen: C.Instant
        /// Wall time of the last heartbeat, in seconds since 1970.
        public var lastSeenWall: Int64
        /// The Noise static key its quote bound.
        public var staticKey: [UInt8] = []
    }

    /// The clock staleness is judged on.
    public let clock: C
    /// Silence longer than this makes an agent stale.
    public let staleAfter: Duration
    private let wallClock: @Sendable () -> Int64
    private let records = Mutex<[String: Record]>([:])
    /// Told after every registration (the daemon's loop wakes on it).
    private let onRegistration: @Sendable (String) -> Void

    /// Creates an empty registry; `onRegistration` hears the VM name of every registration.
    public init(
        clock: C,
        staleAfter: Duration = .seconds(30),
        wallClock: @escaping @Sendable () -> Int64,
        onRegistration: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.clock = clock
        self.staleAfter = staleAfter
        self.wallClock = wallClock
        self.onRegistration = onRegistration
    }

    /// Records a registration (replacing an earlier one of the same VM).
    public func register(vm: String, agentID: String, hostname: String, mrTD: String, staticKey: [UInt8] = []) {
        let now = self.clock.now
        let wall = self.wallClock()
        self.records.withLock {
            $0[vm] = Record(
                vm: vm,
                agentID: agentID,
                hostname: hostname,
                mrTD: mrTD,
                status: "registered",
                workloads: [],
                heartbeats: 0,
                lastSeen: now,
                lastSeenWall: wall,
                staticKey: staticKey
            )
        }
        self.onRegistration(vm)
    }

    /// Records a heartbeat.
    public func heartbeat(vm: String, status: String, workloads: [String]) {
        let now = self.clock.now
        let wall = self.wallClock()
        self.records.withLock { records in
            records[vm]?.status = status
            records[vm]?.workloads = workloads
            records[vm]?.heartbeats += 1
            records[vm]?.lastSeen = now
            records[vm]?.lastSeenWall = wall
        }
    }

    /// One agent, with whether it is stale now.
    public func agent(_ vm: String) -> (record: Record, stale: Bool)? {
        let now = self.clock.now
        return self.records.withLock { $0[vm] }.map { ($0, $0.lastSeen.duration(to: now) > self.staleAfter) }
    }

    /// Every agent, by VM name, with whether it is stale now.
    public func snapshot() -> [(record: Record, stale: Bool)] {
        let now = self.clock.now
        return self.records.withLock { $0.values.sorted { $0.vm < $1.vm } }.map { ($0, $0.lastSeen.duration(to: now) > self.staleAfter) }
    }

    /// The VMs whose agents turned stale after `start` and by `end`: fresh at `start`, stale at
    /// `end`, and silent all along (an agent that came back and fell silent again counts too).
    public func vmsTurningStale(after start: C.Instant, through end: C.Instant) -> Set<String> {
        self.records.withLock { records in
            Set(
                records.values.lazy.filter { $0.lastSeen.duration(to: start) <= self.staleAfter && $0.lastSeen.duration(to: end) > self.staleAfter }
                    .map(\.vm)
            )
        }
    }

    /// The first instant at which an agent that is fresh now turns stale (unless it sends a
    /// heartbeat first), or nil when no agent is fresh.
    public func nextStaleInstant() -> C.Instant? {
        let now = self.clock.now
        let silentUntil = self.records.withLock { records in
            records.values.lazy.map(\.lastSeen).filter { $0.duration(to: now) <= self.staleAfter }.min()
        }
        return silentUntil?.advanced(by: self.staleAfter + self.clock.minimumResolution)
    }

    /// The reconciler's view.
    public func listAgents() async throws -> [ObservedAgent] {
        self.snapshot().map { ObservedAgent(vm: $0.record.vm, health: $0.stale ? .stale : .healthy, lastSeen: $0.record.lastSeenWall) }
    }
}
