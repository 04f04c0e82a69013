import Crypto

/// A Noise CipherState: ChaCha20-Poly1305 with a 64-bit counter nonce (4 zero bytes ‖ u64 LE).
public struct CipherState: Sendable {
    private var key: SymmetricKey?
    /// The next nonce.
    public private(set) var nonce: UInt64 = 0

    /// The largest payload plus tag a Noise message may hold.
    public static let maximumMessageLength = 65_535

    /// An empty state (no key: encryption is the identity).
    public init() {}

    /// A state with `key` (32 bytes) and nonce 0.
    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// True once a key is set.
    public var hasKey: Bool { self.key != nil }

    mutating func initializeKey(_ key: [UInt8]) {
        self.key = SymmetricKey(data: key)
        self.nonce = 0
    }

    /// ENCRYPT(k, n++, ad, plaintext), or the plaintext when no key is set.
    public mutating func encrypt(_ plaintext: [UInt8], associatedData: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        guard let key = self.key else { return plaintext }
        guard self.nonce < UInt64.max else { throw NoiseError(.nonceExhausted, "the nonce is exhausted; rekey or start a new session") }
        let sealed: ChaChaPoly.SealedBox
        do {
            sealed = try ChaChaPoly.seal(plaintext, using: key, nonce: try Self.nonce(self.nonce), authenticating: associatedData)
        } catch {
            throw NoiseError(.decryptionFailed, "encryption failed: \(error)")
        }
        self.nonce += 1
        var message = [UInt8]()
        message.reserveCapacity(plaintext.count + 16)
        message.append(contentsOf: sealed.ciphertext)
        message.append(contentsOf: sealed.tag)
        return message
    }

    /// DECRYPT(k, n++, ad, ciphertext); the nonce advances only when authentication succeeds.
    public mutating func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8] = []) throws(NoiseError) -> [UInt8] {
        guard let key = self.key else { return ciphertext }
        guard self.nonce < UInt64.max else { throw NoiseError(.nonceExhausted, "the nonce is exhausted; rekey or start a new session") }
        guard ciphertext.count >= 16 else { throw NoiseError(.messageTooShort, "a ciphertext needs at least its 16-byte tag") }
        let plaintext: [UInt8]
        do {
            let box = try ChaChaPoly.SealedBox(nonce: try Self.nonce(self.nonce), ciphertext: ciphertext.dropLast(16), tag: ciphertext.suffix(16))
            plaintext = Array(try ChaChaPoly.open(box, using: key, authenticating: associatedData))
        } catch {
            throw NoiseError(.decryptionFailed, "the message does not authenticate (tampered, replayed or for another session)")
        }
        self.nonce += 1
        return plaintext
    }

    /// REKEY: k = the first 32 bytes of ENCRYPT(k, 2^64 − 1, empty, 32 zero bytes). The nonce is unchanged.
    public mutating func rekey() throws(NoiseError) {
        guard let key = self.key else { return }
        do {
            let sealed = try ChaChaPoly.seal([UInt8](repeating: 0, count: 32), using: key, nonce: try Self.nonce(.max))
            self.key = SymmetricKey(data: Array(sealed.ciphertext.prefix(32)))
        } catch {
            throw NoiseError(.decryptionFailed, "rekey failed: \(error)")
        }
    }

    /// Sets the nonce to 2^64 − 1, the value that may never be used (for tests of exhaustion).
    public mutating func exhaustForTesting() { self.nonce = .max }

    private static func nonce(_ counter: UInt64) throws -> ChaChaPoly.Nonce {
        // 4 zero bytes, then the counter little-endian: 12 bytes (three 32-bit words), on the stack.
        let words = (UInt32(0), UInt32(truncatingIfNeeded: counter).littleEndian, UInt32(truncatingIfNeeded: counter >> 32).littleEndian)
        return try withUnsafeBytes(of: words) { try ChaChaPoly.Nonce(data: $0) }
    }
}
