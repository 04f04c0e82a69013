/// Where a registration attempt is, for the agent's status and for naming the phase whose
/// deadline passed.
public enum RegistrationPhase: String, Sendable, Hashable, CustomStringConvertible {
    /// Opening the TCP connection.
    case connecting
    /// Waiting for the WebSocket upgrade (`101 Switching Protocols`).
    case upgrading
    /// Waiting for the control plane's hello (Noise message 2).
    case awaitingHello = "awaiting-hello"
    /// Waiting for the control plane's reply to the registration (bootstrap or refusal).
    case awaitingReply = "awaiting-reply"
    /// Registered: heartbeating on the channel.
    case registered
    /// Waiting for a heartbeat's acknowledgement.
    case awaitingAcknowledgement = "awaiting-acknowledgement"
    /// Pausing before the next attempt.
    case backingOff = "backing-off"

    /// The phase as shown in the status and logs.
    public var description: String { self.rawValue }
}
