/// Why text is not a well-formed SSHSIG signature. Equality compares only the code.
public struct SSHSignatureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as a kebab-case identifier.
        public let description: String
        private init(_ description: String) { self.description = description }

        /// No `-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----` armor.
        public static let notArmored = Code("not-armored")
        /// Armor present, but the content is not a version-1 SSHSIG blob.
        public static let malformed = Code("malformed-signature")
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
    public static func == (lhs: SSHSignatureError, rhs: SSHSignatureError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
