import Crypto

/// A Noise SymmetricState over SHA-256: the chaining key, the handshake hash and a CipherState.
struct SymmetricState: Sendable {
    private(set) var chainingKey: [UInt8]
    private(set) var handshakeHash: [UInt8]
    var cipher = CipherState()

    init(protocolName: String) {
        let name = Array(protocolName.utf8)
        let h = name.count <= 32 ? name + [UInt8](repeating: 0, count: 32 - name.count) : Array(SHA256.hash(data: name))
        self.chainingKey = h
        self.handshakeHash = h
    }

    mutating func mixKey(_ input: [UInt8]) {
        let (ck, key) = Self.hkdf(self.chainingKey, input)
        self.chainingKey = ck
        self.cipher.initializeKey(key)
    }

    mutating func mixHash(_ data: [UInt8]) {
        var hasher = SHA256()
        hasher.update(data: self.handshakeHash)
        hasher.update(data: data)
        self.handshakeHash = Array(hasher.finalize())
    }

    mutating func encryptAndHash(_ plaintext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let ciphertext = try self.cipher.encrypt(plaintext, associatedData: self.handshakeHash)
        self.mixHash(ciphertext)
        return ciphertext
    }

    mutating func decryptAndHash(_ ciphertext: [UInt8]) throws(NoiseError) -> [UInt8] {
        let plaintext = try self.cipher.decrypt(ciphertext, associatedData: self.handshakeHash)
        self.mixHash(ciphertext)
        return plaintext
    }

    /// The two transport CipherStates: (initiator → responder, responder → initiator).
    func split() -> (CipherState, CipherState) {
        let (first, second) = Self.hkdf(self.chainingKey, [])
        return (CipherState(key: first), CipherState(key: second))
    }

    /// HKDF(ck, ikm) with two 32-byte outputs, as the Noise spec defines it (RFC 5869 with salt = ck).
    static func hkdf(_ chainingKey: [UInt8], _ input: [UInt8]) -> ([UInt8], [UInt8]) {
        let prk = Self.hmac(key: chainingKey, input)
        let first = Self.hmac(key: prk, [0x01])
        let second = Self.hmac(key: prk, first + [0x02])
        return (first, second)
    }

    /// HMAC-SHA256 (RFC 2104) for the 32-byte keys Noise uses, straight on SHA-256 so that the
    /// handshake's ~30 HMACs allocate no key objects. The published vectors pin its output.
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var innerPad = [UInt8](repeating: 0x36, count: 64)
        var outerPad = [UInt8](repeating: 0x5c, count: 64)
        for (index, byte) in key.enumerated() {
            innerPad[index] ^= byte
            outerPad[index] ^= byte
        }
        var inner = SHA256()
        inner.update(data: innerPad)
        inner.update(data: message)
        var outer = SHA256()
        outer.update(data: outerPad)
        outer.update(data: Array(inner.finalize()))
        return Array(outer.finalize())
    }
}
