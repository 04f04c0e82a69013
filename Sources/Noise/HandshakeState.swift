import Crypto

/// A Noise handshake (`Noise_XX_25519_ChaChaPoly_SHA256` by default), IO-free: the caller moves
/// the bytes. Ephemeral keys are injectable so the published vectors replay exactly.
///
/// ```swift
/// var initiator = try HandshakeState(role: .initiator, staticKey: mine)
/// let first = try initiator.writeMessage(payload: [])      // send
/// let payload = try initiator.readMessage(second)          // receive
/// … once `isComplete`: let transport = try initiator.transport()
/// ```
public struct HandshakeState: Sendable {
    /// Which side this is.
    public enum Role: Sendable {
        /// Sends the first message.
        case initiator
        /// Answers it.
        case responder
    }

    /// The full protocol name.
    public let protocolName: String
    /// This side's role.
    public let role: Role
    private let pattern: HandshakePattern
    private var symmetric: SymmetricState
    private let staticKey: Curve25519.KeyAgreement.PrivateKey?
    private var ephemeralKey: Curve25519.KeyAgreement.PrivateKey?
    private var pendingEphemeral: Curve25519.KeyAgreement.PrivateKey?
    /// The peer's static public key, once received.
    public private(set) var remoteStaticKey: [UInt8]?
    private var remoteEphemeralKey: [UInt8]?
    /// The parsed forms of the remote keys, so each is parsed once, not once per DH.
    private var remoteStatic: Curve25519.KeyAgreement.PublicKey?
    private var remoteEphemeral: Curve25519.KeyAgreement.PublicKey?
    private var messageIndex = 0

    /// Starts a handshake.
    /// - Parameters:
    ///   - staticKey: this side's static key (required by XX).
    ///   - ephemeralKey: a fixed ephemeral key (test vectors only); fresh randomness otherwise.
    public init(
        protocolName: String = "Noise_XX_25519_ChaChaPoly_SHA256",
        role: Role,
        staticKey: Curve25519.KeyAgreement.PrivateKey?,
        ephemeralKey: Curve25519.KeyAgreement.PrivateKey? = nil,
        prologue: [UInt8] = []
    ) throws(NoiseError) {
        guard let pattern = HandshakePattern.named(protocolName) else {
            throw NoiseError(.unsupportedProtocol, "\(protocolName) is not supported; use Noise_XX_25519_ChaChaPoly_SHA256")
        }
        if pattern.messages.joined().contains(.s) && staticKey == nil {
            throw NoiseError(.missingKey, "the \(pattern.name) pattern needs this side's static key")
        }
        self.protocolName = protocolName
        self.role = role
        self.pattern = pattern
        self.symmetric = SymmetricState(protocolName: protocolName)
        self.staticKey = staticKey
        self.pendingEphemeral = ephemeralKey
        self.symmetric.mixHash(prologue)
    }

    /// True when every handshake message has been written or read.
    public var isComplete: Bool { self.messageIndex >= self.pattern.messages.count }

    /// True when the next handshake message is this side's to write.
    public var isMyTurn: Bool { (self.messageIndex % 2 == 0) == (self.role == .initiator) }

    /// The handshake hash `h` (channel binding), final once complete.
    public var handshakeHash: [UInt8] { self.symmetric.handshakeHash }

    /// Writes the next handshake message carrying `payload`.
    public mutating func writeMessage(payload: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        guard !self.isComplete, self.isMyTurn else { throw NoiseError(.outOfOrder, "it is not this side's turn to write a handshake message") }
        var message: [UInt8] = []
        for token in self.pattern.messages[self.messageIndex] {
            switch token {
            case .e:
                let ephemeral = self.pendingEphemeral ?? Curve25519.KeyAgreement.PrivateKey()
                self.pendingEphemeral = nil
                self.ephemeralKey = ephemeral
                let publicKey = Array(ephemeral.publicKey.rawRepresentation)
                message += publicKey
                self.symmetric.mixHash(publicKey)
            case .s:
                guard let staticKey = self.staticKey else { throw NoiseError(.missingKey, "no static key") }
                message += try self.symmetric.encryptAndHash(Array(staticKey.publicKey.rawRepresentation))
            default:
                self.symmetric.mixKey(try self.dh(token))
            }
        }
        message += try self.symmetric.encryptAndHash(payload)
        guard message.count <= CipherState.maximumMessageLength else {
            throw NoiseError(.messageTooLong, "a Noise message is at most 65535 bytes; this one would be \(message.count)")
        }
        self.messageIndex += 1
        return message
    }

    /// Reads the peer's next handshake message and returns its payload.
    public mutating func readMessage(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard !self.isComplete, !self.isMyTurn else { throw NoiseError(.outOfOrder, "no handshake message is expected from the peer now") }
        guard message.count <= CipherState.maximumMessageLength else {
            throw NoiseError(.messageTooLong, "a Noise message is at most 65535 bytes; got \(message.count)")
        }
        var offset = 0
        func take(_ count: Int) throws(NoiseError) -> [UInt8] {
            guard message.count - offset >= count else {
                throw NoiseError(.messageTooShort, "the handshake message ends early (\(message.count) bytes)")
            }
            defer { offset += count }
            return Array(message[offset..<offset + count])
        }
        for token in self.pattern.messages[self.messageIndex] {
            switch token {
            case .e:
                let key = try take(32)
                self.remoteEphemeralKey = key
                self.remoteEphemeral = try Self.publicKey(key)
                self.symmetric.mixHash(key)
            case .s:
                let length = self.symmetric.cipher.hasKey ? 48 : 32
                let key = try self.symmetric.decryptAndHash(try take(length))
                self.remoteStaticKey = key
                self.remoteStatic = try Self.publicKey(key)
            default:
                self.symmetric.mixKey(try self.dh(token))
            }
        }
        let payload = try self.symmetric.decryptAndHash(Array(message[offset...]))
        self.messageIndex += 1
        return payload
    }

    /// The transport session, once the handshake is complete.
    public func transport() throws(NoiseError) -> TransportState {
        guard self.isComplete else { throw NoiseError(.outOfOrder, "the handshake is not complete") }
        let (initiatorToResponder, responderToInitiator) = self.symmetric.split()
        return self.role == .initiator
            ? TransportState(
                send: initiatorToResponder,
                receive: responderToInitiator,
                handshakeHash: self.handshakeHash,
                remoteStaticKey: self.remoteStaticKey
            )
            : TransportState(
                send: responderToInitiator,
                receive: initiatorToResponder,
                handshakeHash: self.handshakeHash,
                remoteStaticKey: self.remoteStaticKey
            )
    }

    private static func publicKey(_ bytes: [UInt8]) throws(NoiseError) -> Curve25519.KeyAgreement.PublicKey {
        do {
            return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
        } catch {
            throw NoiseError(.invalidPublicKey, "the peer's public key is not a valid X25519 key")
        }
    }

    /// DH for `ee`, `es`, `se`, `ss` from this side's point of view; an all-zero result is refused.
    private func dh(_ token: HandshakePattern.Token) throws(NoiseError) -> [UInt8] {
        let initiator = self.role == .initiator
        let local: Curve25519.KeyAgreement.PrivateKey?
        let remote: Curve25519.KeyAgreement.PublicKey?
        switch token {
        case .ee: (local, remote) = (self.ephemeralKey, self.remoteEphemeral)
        case .es: (local, remote) = initiator ? (self.ephemeralKey, self.remoteStatic) : (self.staticKey, self.remoteEphemeral)
        case .se: (local, remote) = initiator ? (self.staticKey, self.remoteEphemeral) : (self.ephemeralKey, self.remoteStatic)
        case .ss: (local, remote) = (self.staticKey, self.remoteStatic)
        default: (local, remote) = (nil, nil)
        }
        guard let local, let remote else { throw NoiseError(.missingKey, "a key for \(token.rawValue) is missing") }
        let shared: [UInt8]
        do {
            shared = try local.sharedSecretFromKeyAgreement(with: remote).withUnsafeBytes { Array($0) }
        } catch {
            throw NoiseError(.invalidPublicKey, "the Diffie-Hellman with the peer's key failed")
        }
        guard shared.contains(where: { $0 != 0 }) else {
            throw NoiseError(.invalidPublicKey, "the Diffie-Hellman result is all zeros (a low-order public key)")
        }
        return shared
    }
}
