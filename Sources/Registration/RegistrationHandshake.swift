import Crypto
import Foundation
import Noise

/// One side of the registration exchange as an IO-free state machine over Noise XX: it turns
/// frames into messages and messages into frames; the transport (WebSocket) only carries them.
///
/// | # | direction | Noise | payload |
/// |---|---|---|---|
/// | 1 | agent → CP | `e` | empty |
/// | 2 | CP → agent | `e, ee, s, es` | ``RegistrationMessage/ControlPlaneHello`` |
/// | 3 | agent → CP | `s, se` | ``RegistrationMessage/AgentRegistration`` |
/// | 4… | both | transport | ``RegistrationMessage/Reply``, then heartbeats and acks |
public struct RegistrationHandshake: Sendable {
    /// The agent (initiator) or the control plane (responder).
    public enum Side: Sendable {
        /// The agent.
        case agent
        /// The control plane.
        case controlPlane
    }

    /// A frame that is not what the exchange expects at this point.
    public struct ProtocolViolation: Error, CustomStringConvertible {
        /// What was wrong.
        public var description: String
    }

    private var handshake: HandshakeState
    private var channel: TransportState?

    /// The prologue both sides mix in: a different protocol or version cannot complete.
    public static let prologue = Array("devopsdefender/registration/v1".utf8)

    /// Starts a side with its Noise static key.
    public init(side: Side, staticKey: Curve25519.KeyAgreement.PrivateKey) throws {
        self.handshake = try HandshakeState(
            role: side == .agent ? .initiator : .responder,
            staticKey: staticKey,
            prologue: Self.prologue
        )
    }

    /// The peer's static key, once the handshake authenticated it.
    public var remoteStaticKey: [UInt8]? { self.handshake.remoteStaticKey }

    // MARK: Agent

    /// Message 1.
    public mutating func start() throws -> [UInt8] { try self.handshake.writeMessage() }

    /// Reads message 2: the control plane's hello.
    public mutating func readHello(_ frame: [UInt8]) throws -> RegistrationMessage.ControlPlaneHello {
        try RegistrationMessage.decode(RegistrationMessage.ControlPlaneHello.self, from: try self.handshake.readMessage(frame))
    }

    /// Message 3, carrying the registration; the channel is then established.
    public mutating func register(_ registration: RegistrationMessage.AgentRegistration) throws -> [UInt8] {
        let frame = try self.handshake.writeMessage(payload: try RegistrationMessage.encode(registration))
        self.channel = try self.handshake.transport()
        return frame
    }

    // MARK: Control plane

    /// Reads message 1.
    public mutating func readStart(_ frame: [UInt8]) throws {
        let payload = try self.handshake.readMessage(frame)
        guard payload.isEmpty else { throw ProtocolViolation(description: "message 1 must carry no payload") }
    }

    /// Message 2, carrying the hello.
    public mutating func hello(_ hello: RegistrationMessage.ControlPlaneHello) throws -> [UInt8] {
        try self.handshake.writeMessage(payload: try RegistrationMessage.encode(hello))
    }

    /// Reads message 3: the agent's registration; the channel is then established.
    public mutating func readRegistration(_ frame: [UInt8]) throws -> RegistrationMessage.AgentRegistration {
        let registration = try RegistrationMessage.decode(RegistrationMessage.AgentRegistration.self, from: try self.handshake.readMessage(frame))
        self.channel = try self.handshake.transport()
        return registration
    }

    // MARK: Both

    /// Encrypts a message for the established channel.
    public mutating func seal(_ message: some Encodable) throws -> [UInt8] {
        guard var channel = self.channel else { throw ProtocolViolation(description: "the handshake is not complete") }
        let frame = try channel.encrypt(try RegistrationMessage.encode(message))
        self.channel = channel
        return frame
    }

    /// Decrypts and decodes a message from the established channel. Tampered ciphertext throws.
    public mutating func open<Message: Decodable>(_ type: Message.Type, _ frame: [UInt8]) throws -> Message {
        guard var channel = self.channel else { throw ProtocolViolation(description: "the handshake is not complete") }
        let payload = try channel.decrypt(frame)
        self.channel = channel
        return try RegistrationMessage.decode(type, from: payload)
    }
}
