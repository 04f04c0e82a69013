/// What one client may hold of the control plane's HTTP side: how long it may take to send its
/// first request head, how long a connection may sit idle between requests, how many
/// connections are open at once, and how many of those may still be waiting for their first
/// request head — the rest is kept for agents and requests in progress.
public struct ConnectionLimits: Sendable {
    /// How long a new connection may take to send its first complete request head (the
    /// upgrade of a registration, or a plain request); it is closed then. Later request heads on
    /// a kept-alive connection fall under ``idleTimeout``.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a kept-alive HTTP connection may sit without a request in progress (a request
    /// head trickling in does not count as progress).
    public var idleTimeout: Duration = .seconds(60)
    /// Connections open at once; beyond it, new ones wait in the listen backlog. Keep it below
    /// the process's descriptor limit.
    public var maxConnections: Int = 1_024
    /// Connections that have not sent a first request head yet; a new one beyond it closes the
    /// oldest of them, so idle or slow clients cannot take every connection from agents.
    public var maxPending: Int = 256

    /// Creates limits.
    public init(
        headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        maxConnections: Int = 1_024,
        maxPending: Int = 256
    ) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = max(1, maxConnections)
        self.maxPending = max(1, min(maxPending, maxConnections))
    }

    /// Limits for a process allowed `descriptors` open files: connections up to that less
    /// `reserve` (the journal, the git checkout, outgoing HTTP), at most 4,096; a quarter of
    /// them may be pending.
    public static func forDescriptorLimit(_ descriptors: Int, reserve: Int = 64) -> ConnectionLimits {
        let connections = max(8, min(4_096, descriptors - reserve))
        return ConnectionLimits(maxConnections: connections, maxPending: max(4, connections / 4))
    }
}
