/// Why the agent's WebSocket to the control plane failed. None of these is a verdict from the
/// control plane (nothing here arrived inside the attested channel), so the agent retries them
/// all.
public struct RegistrationSocketError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, stable for tests and logs.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case deadline
            case notUpgraded = "not-upgraded"
            case closed
            case protocolViolation = "protocol-violation"
            case invalidURL = "invalid-url"
        }

        private let base: Base

        /// A phase's deadline passed (the connection was closed).
        public static let deadline = Code(base: .deadline)
        /// The server answered the upgrade with something other than `101` (a status such as 403, 404, 502).
        public static let notUpgraded = Code(base: .notUpgraded)
        /// The peer closed the connection.
        public static let closed = Code(base: .closed)
        /// The peer broke the WebSocket protocol (a text frame, a stray continuation, an oversized message).
        public static let protocolViolation = Code(base: .protocolViolation)
        /// The register URL is not `ws://host[:port]/path` or `wss://…`.
        public static let invalidURL = Code(base: .invalidURL)

        /// The code as logged.
        public var description: String { self.base.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The phase the connection was in.
    public var phase: RegistrationPhase?
    /// For ``Code/notUpgraded``: the HTTP status the server answered with.
    public var httpStatus: Int?
    /// A sentence for the status and the log.
    public var description: String

    /// Creates an error.
    public init(_ code: Code, phase: RegistrationPhase? = nil, httpStatus: Int? = nil, _ description: String) {
        self.code = code
        self.phase = phase
        self.httpStatus = httpStatus
        self.description = description
    }

    /// Errors are equal when their codes are.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    /// Hashes the code.
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
