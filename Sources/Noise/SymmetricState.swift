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
        let prk = HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: chainingKey))
        let prkKey = SymmetricKey(data: Array(prk))
        let first = Array(HMAC<SHA256>.authenticationCode(for: [0x01], using: prkKey))
        let second = Array(HMAC<SHA256>.authenticationCode(for: first + [0x02], using: prkKey))
        return (first, second)
    }
}
