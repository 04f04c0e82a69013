/// A journal that cannot be read or written.
public struct JournalError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error class.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case open
            case io
        }

        private let value: Value

        /// The journal cannot be opened or created.
        public static let open = Code(value: .open)
        /// A read or write failed.
        public static let io = Code(value: .io)

        /// `open` or `io`.
        public var description: String { self.value == .open ? "open" : "io" }
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
