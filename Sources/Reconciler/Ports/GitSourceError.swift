/// Why the fleet repository could not be read. The message never carries a token or a URL's
/// credentials.
public struct GitSourceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; equality compares only this and the message.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case unreachable, authentication, branchNotFound, timeout, objectMissing, invalidConfiguration, io
        }
        private let value: Value

        /// The remote could not be reached (DNS, connection refused, TLS, HTTP 5xx).
        public static let unreachable = Code(value: .unreachable)
        /// The remote refused the credentials (HTTP 401/403), or none were given and it wants some.
        public static let authentication = Code(value: .authentication)
        /// The remote has no such branch.
        public static let branchNotFound = Code(value: .branchNotFound)
        /// The fetch did not finish within its deadline.
        public static let timeout = Code(value: .timeout)
        /// A revision the caller named is not in the local copy.
        public static let objectMissing = Code(value: .objectMissing)
        /// The source is configured wrongly (a malformed URL, an unusable local path).
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        /// The local copy could not be read or written.
        public static let io = Code(value: .io)

        /// A stable, machine-readable name (`branch-not-found`), used in status reasons.
        public var description: String {
            switch self.value {
            case .unreachable: "unreachable"
            case .authentication: "authentication"
            case .branchNotFound: "branch-not-found"
            case .timeout: "timeout"
            case .objectMissing: "object-missing"
            case .invalidConfiguration: "invalid-configuration"
            case .io: "io"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, in one sentence, with the fix where there is one.
    public var message: String

    /// Creates the error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }
}
