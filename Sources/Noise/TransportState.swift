/// An established Noise session: one CipherState per direction, the handshake hash for channel
/// binding, and the peer's static key.
public struct TransportState: Sendable {
    private var sendCipher: CipherState
    private var receiveCipher: CipherState
    /// The final handshake hash.
    public let handshakeHash: [UInt8]
    /// The peer's static public key (XX), authenticated by the handshake.
    public let remoteStaticKey: [UInt8]?

    init(send: CipherState, receive: CipherState, handshakeHash: [UInt8], remoteStaticKey: [UInt8]?) {
        self.sendCipher = send
        self.receiveCipher = receive
        self.handshakeHash = handshakeHash
        self.remoteStaticKey = remoteStaticKey
    }

    /// Encrypts one message (payload ≤ 65,519 bytes).
    public mutating func encrypt(_ payload: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard payload.count + 16 <= CipherState.maximumMessageLength else {
            throw NoiseError(.messageTooLong, "a transport payload is at most 65519 bytes; got \(payload.count)")
        }
        return try self.sendCipher.encrypt(payload)
    }

    /// Decrypts one message; a tampered, replayed or reordered message fails.
    public mutating func decrypt(_ message: [UInt8]) throws(NoiseError) -> [UInt8] {
        guard message.count <= CipherState.maximumMessageLength else {
            throw NoiseError(.messageTooLong, "a Noise message is at most 65535 bytes; got \(message.count)")
        }
        return try self.receiveCipher.decrypt(message)
    }

    /// Rekeys the sending direction (the peer must rekey its receiving direction in step).
    public mutating func rekeySend() throws(NoiseError) { try self.sendCipher.rekey() }

    /// Rekeys the receiving direction.
    public mutating func rekeyReceive() throws(NoiseError) { try self.receiveCipher.rekey() }
}
