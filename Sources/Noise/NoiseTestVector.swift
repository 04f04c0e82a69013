import Crypto
import Encoding
import Foundation

/// One vector of the Noise wiki's JSON test-vector format (cacophony, snow, noise-c).
public struct NoiseTestVector: Decodable, Sendable {
    /// One message: the payload and the exact wire bytes.
    public struct Message: Decodable, Sendable {
        /// The payload (hex).
        public var payload: String
        /// The wire message (hex).
        public var ciphertext: String
    }

    /// `Noise_XX_25519_ChaChaPoly_SHA256` and the like (`name` in noise-c files).
    public var protocolName: String
    var initPrologue: String?
    var respPrologue: String?
    var initStatic: String?
    var respStatic: String?
    var initEphemeral: String?
    var respEphemeral: String?
    var initPSKs: [String]?
    /// The expected final handshake hash, when the file has one.
    public var handshakeHash: String?
    /// The messages, initiator first, handshake then transport.
    public var messages: [Message]

    enum CodingKeys: String, CodingKey {
        case protocolName = "protocol_name"
        case name
        case initPrologue = "init_prologue"
        case respPrologue = "resp_prologue"
        case initStatic = "init_static"
        case respStatic = "resp_static"
        case initEphemeral = "init_ephemeral"
        case respEphemeral = "resp_ephemeral"
        case initPSKs = "init_psks"
        case initPSK = "init_psk"
        case handshakeHash = "handshake_hash"
        case messages
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.protocolName = try container.decodeIfPresent(String.self, forKey: .protocolName) ?? container.decode(String.self, forKey: .name)
        self.initPrologue = try container.decodeIfPresent(String.self, forKey: .initPrologue)
        self.respPrologue = try container.decodeIfPresent(String.self, forKey: .respPrologue)
        self.initStatic = try container.decodeIfPresent(String.self, forKey: .initStatic)
        self.respStatic = try container.decodeIfPresent(String.self, forKey: .respStatic)
        self.initEphemeral = try container.decodeIfPresent(String.self, forKey: .initEphemeral)
        self.respEphemeral = try container.decodeIfPresent(String.self, forKey: .respEphemeral)
        var psks = try container.decodeIfPresent([String].self, forKey: .initPSKs)
        if psks == nil, let single = try container.decodeIfPresent(String.self, forKey: .initPSK) { psks = [single] }
        self.initPSKs = psks
        self.handshakeHash = try container.decodeIfPresent(String.self, forKey: .handshakeHash)
        self.messages = try container.decode([Message].self, forKey: .messages)
    }

    /// A file: `{"vectors": [...]}`.
    public struct File: Decodable, Sendable {
        /// The vectors.
        public var vectors: [NoiseTestVector]
    }

    /// The outcome of replaying one vector.
    public enum Outcome: Hashable, Sendable {
        /// Every message and the handshake hash matched.
        case passed
        /// Not a pattern this implementation speaks (psk variants, other suites).
        case skipped(String)
        /// A mismatch or an error, with where it happened.
        case failed(String)
    }

    /// Replays the vector: both sides with the vector's keys, every handshake and transport
    /// message compared byte for byte, and the handshake hash.
    public func replay() -> Outcome {
        guard HandshakePattern.named(self.protocolName) != nil, (self.initPSKs ?? []).isEmpty else {
            return .skipped("\(self.protocolName) is not NN or XX over 25519/ChaChaPoly/SHA256")
        }
        do {
            var initiator = try HandshakeState(
                protocolName: self.protocolName,
                role: .initiator,
                staticKey: try Self.key(self.initStatic),
                ephemeralKey: try Self.key(self.initEphemeral),
                prologue: Self.bytes(self.initPrologue)
            )
            var responder = try HandshakeState(
                protocolName: self.protocolName,
                role: .responder,
                staticKey: try Self.key(self.respStatic),
                ephemeralKey: try Self.key(self.respEphemeral),
                prologue: Self.bytes(self.respPrologue)
            )
            var transports: (TransportState, TransportState)?
            for (index, message) in self.messages.enumerated() {
                let payload = Self.bytes(message.payload)
                let expected = Self.bytes(message.ciphertext)
                let fromInitiator = index % 2 == 0
                let wire: [UInt8]
                let received: [UInt8]
                if var (initiatorSide, responderSide) = transports {
                    if fromInitiator {
                        wire = try initiatorSide.encrypt(payload)
                        received = try responderSide.decrypt(wire)
                    } else {
                        wire = try responderSide.encrypt(payload)
                        received = try initiatorSide.decrypt(wire)
                    }
                    transports = (initiatorSide, responderSide)
                } else if fromInitiator {
                    wire = try initiator.writeMessage(payload: payload)
                    received = try responder.readMessage(wire)
                } else {
                    wire = try responder.writeMessage(payload: payload)
                    received = try initiator.readMessage(wire)
                }
                guard wire == expected else { return .failed("message \(index): ciphertext differs") }
                guard received == payload else { return .failed("message \(index): decrypted payload differs") }
                if transports == nil, initiator.isComplete, responder.isComplete {
                    if let hash = self.handshakeHash, Self.bytes(hash) != initiator.handshakeHash || Self.bytes(hash) != responder.handshakeHash {
                        return .failed("handshake hash differs")
                    }
                    transports = (try initiator.transport(), try responder.transport())
                }
            }
            return .passed
        } catch {
            return .failed("\(error)")
        }
    }

    private static func bytes(_ hex: String?) -> [UInt8] {
        hex.flatMap { Hex.decode($0) } ?? []
    }

    private static func key(_ hex: String?) throws -> Curve25519.KeyAgreement.PrivateKey? {
        guard let hex else { return nil }
        return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(hex))
    }
}
