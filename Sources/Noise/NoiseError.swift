/// Why a Noise operation failed. Equality compares only the code.
public struct NoiseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as a kebab-case identifier.
        public let description: String
        private init(_ description: String) { self.description = description }

        /// A message longer than 65,535 bytes.
        public static let messageTooLong = Code("message-too-long")
        /// A message too short for what the pattern requires.
        public static let messageTooShort = Code("message-too-short")
        /// Authentication failed: tampered, replayed or misdirected ciphertext.
        public static let decryptionFailed = Code("decryption-failed")
        /// The nonce would wrap (2^64 − 1 messages); rekey or start over.
        public static let nonceExhausted = Code("nonce-exhausted")
        /// A Diffie-Hellman result of all zeros (a low-order public key).
        public static let invalidPublicKey = Code("invalid-public-key")
        /// A call out of turn: writing when it is the peer's turn, or after the handshake.
        public static let outOfOrder = Code("out-of-order")
        /// A static key the pattern needs is missing.
        public static let missingKey = Code("missing-key")
        /// The protocol name is not one this implementation speaks.
        public static let unsupportedProtocol = Code("unsupported-protocol")
    }

    /// The kind of failure.
    public var code: Code
    /// What happened.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.message) [\(self.code)]" }
    public static func == (lhs: NoiseError, rhs: NoiseError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
