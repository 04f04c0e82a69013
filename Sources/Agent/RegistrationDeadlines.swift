/// How long each phase of a registration attempt may take before the agent gives up on the
/// connection and tries again (after its backoff). A peer that stalls anywhere — a TCP connect
/// that never completes, an upgrade response that never ends, a handshake message or a heartbeat
/// acknowledgement that never comes — costs at most one deadline, never the agent.
public struct RegistrationDeadlines: Sendable, Hashable {
    /// The TCP connect (and, for `wss://`, nothing more: TLS counts towards the upgrade).
    public var connect: Duration = .seconds(10)
    /// From connected to a complete `101 Switching Protocols` (TLS included).
    public var upgrade: Duration = .seconds(10)
    /// Each handshake message the control plane owes: its hello, then its reply to the
    /// registration. Longer than the control plane's own 30 s handshake deadline, so an honest
    /// control plane that is slow to provision a tunnel still answers in time.
    public var handshakeMessage: Duration = .seconds(45)
    /// Each heartbeat's acknowledgement.
    public var heartbeatAcknowledgement: Duration = .seconds(30)

    /// The defaults.
    public init() {}

    /// Every phase with the same deadline.
    public init(all deadline: Duration) {
        self.connect = deadline
        self.upgrade = deadline
        self.handshakeMessage = deadline
        self.heartbeatAcknowledgement = deadline
    }
}
