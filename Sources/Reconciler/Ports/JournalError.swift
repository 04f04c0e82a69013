/// A journal that cannot be read or written.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error class.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case open
            case io
            case outdated
        }

        private let value: Value

        /// The journal cannot be opened or created.
        public static let open = Code(value: .open)
        /// A read or write failed.
        public static let io = Code(value: .io)
        /// The journal was written by an older version and was opened without upgrading it.
        public static let outdated = Code(value: .outdated)

        /// `open`, `io` or `outdated`.
        public var description: String {
            switch self.value {
            case .open: "open"
            case .io: "io"
            case .outdated: "outdated"
            }
        }
    }

    /// The class.
    public var code: Code
    /// What failed, with the path.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Equality compares the code only.
    public static func == (lhs: JournalError, rhs: JournalError) -> Bool { lhs.code == rhs.code }

    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }

    /// `journal error (io): …`
    public var description: String { "journal error (\(self.code)): \(self.message)" }
}
