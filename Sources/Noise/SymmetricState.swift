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
        let first = Self.hmac(key: prk, [], then: 0x01)
        let second = Self.hmac(key: prk, first, then: 0x02)
        return (first, second)
    }

    /// HMAC-SHA256 (RFC 2104) of `message` followed by the byte `then` (if any), for the 32-byte
    /// keys Noise uses (at most 64 bytes), straight on SHA-256 with one pad buffer, so that the handshake's ~24 HMACs
    /// allocate as little as possible. The published vectors pin its output.
    static func hmac(key: [UInt8], _ message: [UInt8], then last: UInt8? = nil) -> [UInt8] {
        var pad = [UInt8](repeating: 0x36, count: 64)
        pad.withUnsafeMutableBufferPointer { pad in
            key.withUnsafeBufferPointer { key in
                for index in 0..<min(key.count, 64) { pad[index] ^= key[index] }
            }
        }
        var inner = SHA256()
        inner.update(data: pad)
        inner.update(data: message)
        if let last { withUnsafeBytes(of: last) { inner.update(bufferPointer: $0) } }
        let innerDigest = inner.finalize()
        // The outer pad is the inner one with 0x36 ^ 0x5c flipped into every byte.
        pad.withUnsafeMutableBufferPointer { pad in
            for index in 0..<64 { pad[index] ^= 0x36 ^ 0x5c }
        }
        var outer = SHA256()
        outer.update(data: pad)
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }
}
