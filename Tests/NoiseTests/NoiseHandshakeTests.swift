import Crypto
import Noise
import Testing

@Suite("Noise XX handshake")
struct NoiseHandshakeTests {
    typealias Key = Curve25519.KeyAgreement.PrivateKey

    /// A full XX handshake between fresh keys; returns both transports.
    static func handshake(
        initiatorKey: Key = Key(),
        responderKey: Key = Key(),
        payloads: [[UInt8]] = [[], [], []]
    ) throws -> (TransportState, TransportState, [[UInt8]]) {
        var initiator = try HandshakeState(role: .initiator, staticKey: initiatorKey)
        var responder = try HandshakeState(role: .responder, staticKey: responderKey)
        var received: [[UInt8]] = []
        received.append(try responder.readMessage(try initiator.writeMessage(payload: payloads[0])))
        received.append(try initiator.readMessage(try responder.writeMessage(payload: payloads[1])))
        received.append(try responder.readMessage(try initiator.writeMessage(payload: payloads[2])))
        #expect(initiator.isComplete && responder.isComplete)
        #expect(initiator.handshakeHash == responder.handshakeHash)
        return (try initiator.transport(), try responder.transport(), received)
    }

    @Test("both sides learn each other's static key and exchange transport messages")
    func roundTrip() throws {
        let initiatorKey = Key()
        let responderKey = Key()
        var (initiator, responder, received) = try Self.handshake(
            initiatorKey: initiatorKey,
            responderKey: responderKey,
            payloads: [Array("hello".utf8), Array("quote".utf8), Array("agent".utf8)]
        )
        #expect(received == [Array("hello".utf8), Array("quote".utf8), Array("agent".utf8)])
        #expect(initiator.remoteStaticKey == Array(responderKey.publicKey.rawRepresentation))
        #expect(responder.remoteStaticKey == Array(initiatorKey.publicKey.rawRepresentation))
        for index in 0..<5 {
            let message = Array("heartbeat \(index)".utf8)
            #expect(try responder.decrypt(try initiator.encrypt(message)) == message)
            #expect(try initiator.decrypt(try responder.encrypt(message)) == message)
        }
    }

    @Test("tampered, replayed and reordered messages fail authentication")
    func tampering() throws {
        var (initiator, responder, _) = try Self.handshake()
        var first = try initiator.encrypt(Array("one".utf8))
        let second = try initiator.encrypt(Array("two".utf8))
        #expect(throws: NoiseError(.decryptionFailed, "")) { try responder.decrypt(second) }
        first[0] ^= 1
        #expect(throws: NoiseError(.decryptionFailed, "")) { try responder.decrypt(first) }
        first[0] ^= 1
        #expect(try responder.decrypt(first) == Array("one".utf8))
        #expect(throws: NoiseError(.decryptionFailed, "")) { try responder.decrypt(first) }

        var initiatorHandshake = try HandshakeState(role: .initiator, staticKey: Key())
        var responderHandshake = try HandshakeState(role: .responder, staticKey: Key())
        _ = try responderHandshake.readMessage(try initiatorHandshake.writeMessage())
        var second2 = try responderHandshake.writeMessage(payload: Array("x".utf8))
        second2[40] ^= 0x80
        #expect(throws: NoiseError(.decryptionFailed, "")) { try initiatorHandshake.readMessage(second2) }
    }

    @Test("messages over 65,535 bytes and short messages are refused; turns are enforced")
    func limits() throws {
        var initiator = try HandshakeState(role: .initiator, staticKey: Key())
        #expect(throws: NoiseError(.messageTooLong, "")) { try initiator.writeMessage(payload: [UInt8](repeating: 0, count: 65_535)) }
        #expect(throws: NoiseError(.outOfOrder, "")) { try initiator.readMessage([UInt8](repeating: 0, count: 32)) }
        var responder = try HandshakeState(role: .responder, staticKey: Key())
        #expect(throws: NoiseError(.messageTooShort, "")) { try responder.readMessage([1, 2, 3]) }
        #expect(throws: NoiseError(.messageTooLong, "")) { try responder.readMessage([UInt8](repeating: 0, count: 65_536)) }
        var (transport, _, _) = try Self.handshake()
        #expect(throws: NoiseError(.messageTooLong, "")) { try transport.encrypt([UInt8](repeating: 0, count: 65_520)) }
        #expect(try transport.encrypt([UInt8](repeating: 0, count: 65_519)).count == 65_535)
        #expect(throws: NoiseError(.missingKey, "")) { try HandshakeState(role: .initiator, staticKey: nil) }
    }

    @Test("an all-zero Diffie-Hellman result (low-order public key) is refused")
    func zeroDH() throws {
        var responder = try HandshakeState(role: .responder, staticKey: Key())
        // The identity point (u = 0) is a low-order point: X25519 with it yields all zeros.
        #expect(throws: NoiseError(.invalidPublicKey, "")) {
            var initiator = try HandshakeState(role: .initiator, staticKey: Key())
            _ = try responder.readMessage([UInt8](repeating: 0, count: 32))
            _ = try initiator.readMessage(try responder.writeMessage())
        }
    }

    @Test("rekey in step keeps the session working; out of step breaks it")
    func rekey() throws {
        var (initiator, responder, _) = try Self.handshake()
        try initiator.rekeySend()
        try responder.rekeyReceive()
        #expect(try responder.decrypt(try initiator.encrypt([1, 2, 3])) == [1, 2, 3])
        try initiator.rekeySend()
        #expect(throws: NoiseError(.decryptionFailed, "")) { try responder.decrypt(try initiator.encrypt([4])) }
    }

    @Test("nonces are 4 zero bytes then the counter little-endian, all 8 bytes of it (rekey uses 2^64 − 1)")
    func nonceLayout() throws {
        let key = [UInt8](repeating: 9, count: 32)
        // REKEY by hand with swift-crypto and the spec's nonce bytes, then compare sessions.
        let maximum = try ChaChaPoly.Nonce(data: [0, 0, 0, 0] + [UInt8](repeating: 0xff, count: 8))
        let sealed = try ChaChaPoly.seal([UInt8](repeating: 0, count: 32), using: SymmetricKey(data: key), nonce: maximum)
        let rekeyed = Array(sealed.ciphertext.prefix(32))
        var cipher = CipherState(key: key)
        try cipher.rekey()
        var expected = CipherState(key: rekeyed)
        #expect(try cipher.encrypt([1, 2, 3]) == (try expected.encrypt([1, 2, 3])))
        // Counter 1: little-endian in bytes 4…11.
        var counting = CipherState(key: key)
        _ = try counting.encrypt([])
        let one = try ChaChaPoly.Nonce(data: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
        let byHand = try ChaChaPoly.seal([5], using: SymmetricKey(data: key), nonce: one)
        #expect(try counting.encrypt([5]) == Array(byHand.ciphertext) + Array(byHand.tag))
    }

    @Test("the nonce never wraps")
    func nonceExhaustion() throws {
        var cipher = CipherState(key: [UInt8](repeating: 7, count: 32))
        _ = try cipher.encrypt([1])
        #expect(cipher.nonce == 1)
        cipher.exhaustForTesting()
        #expect(throws: NoiseError(.nonceExhausted, "")) { try cipher.encrypt([1]) }
    }
}
