/// Why an `allowed_signers` file was refused: where (1-based line and column) and what to write
/// instead. Equality compares only the code.
public struct AllowedSignersError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as a kebab-case identifier.
        public let description: String
        private init(_ description: String) { self.description = description }

        /// A line with principals but no key after them.
        public static let missingKey = Code("missing-key")
        /// A principals field that is not a comma-separated list of non-empty patterns.
        public static let badPrincipals = Code("bad-principals")
        /// A key type name this file format does not know.
        public static let unknownKeyType = Code("unknown-key-type")
        /// A key that is not valid base64, is truncated, or differs from its type name.
        public static let badKey = Code("bad-key")
        /// An option other than `namespaces`, `valid-after`, `valid-before`, `cert-authority`.
        public static let unknownOption = Code("unknown-option")
        /// An option without a double-quoted value, repeated, or followed by junk.
        public static let badOption = Code("bad-option")
        /// A `valid-after`/`valid-before` time that is not `YYYYMMDD[HHMM[SS]]Z`, or an empty window.
        public static let badTime = Code("bad-time")
        /// A `cert-authority` line: certificate signatures are not supported.
        public static let certificateAuthority = Code("cert-authority-unsupported")
        /// A double quote that is never closed.
        public static let unterminatedQuote = Code("unterminated-quote")
    }

    /// The kind of problem.
    public var code: Code
    /// The 1-based line.
    public var line: Int
    /// The 1-based column (in characters) where the problem starts.
    public var column: Int
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, line: Int, column: Int, _ message: String) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "allowed_signers:\(self.line):\(self.column): \(self.message) [\(self.code)]" }
    public static func == (lhs: AllowedSignersError, rhs: AllowedSignersError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
