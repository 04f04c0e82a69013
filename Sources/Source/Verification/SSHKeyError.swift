/// Why bytes are not an SSH public key. Equality compares only the code.
public struct SSHKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as a kebab-case identifier.
        public let description: String
        private init(_ description: String) { self.description = description }

        /// Bad base64, a truncated blob, trailing bytes, or an invalid point.
        public static let malformed = Code("malformed-key")
        /// The type written before the key differs from the type inside its blob.
        public static let typeMismatch = Code("key-type-mismatch")
    }

    /// The kind of problem.
    public var code: Code
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.message) [\(self.code)]" }
    public static func == (lhs: SSHKeyError, rhs: SSHKeyError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
