/// A failed cloud API call, classified so callers and the retry loop know what to do with it.
///
/// Equality compares only the class (``code``); the rest says what happened and where.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case transient
            case rateLimited
            case quotaWindow
            case conflict
            case notFound
            case permanent
            case auth
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A 5xx, a timeout or a dropped connection: retry if the call is idempotent.
        public static let transient = Code(.transient)
        /// 429 (or GCE's 403 rateLimitExceeded): wait for `retryAfter`, then retry.
        public static let rateLimited = Code(.rateLimited)
        /// A quota that refills in a window (GCE per-minute groups): retry after the window.
        public static let quotaWindow = Code(.quotaWindow)
        /// 409 / 412: the resource exists or changed meanwhile; re-read, never blindly retry.
        public static let conflict = Code(.conflict)
        /// 404.
        public static let notFound = Code(.notFound)
        /// Bad request or a refused operation: retrying cannot help.
        public static let permanent = Code(.permanent)
        /// 401 / 403 for credentials or permissions.
        public static let auth = Code(.auth)

        public var description: String {
            switch self.kind {
            case .rateLimited: "rate-limited"
            case .quotaWindow: "quota-window"
            case .notFound: "not-found"
            default: self.kind.rawValue
            }
        }

        /// True for classes a retry can cure.
        public var isRetryable: Bool { self == .transient || self == .rateLimited || self == .quotaWindow }
    }

    /// The class.
    public var code: Code
    /// Which API ("cloudflare", "gce").
    public var provider: String
    /// The operation, e.g. `tunnels.create`.
    public var operation: String
    /// The HTTP status, when there was a response.
    public var httpStatus: Int?
    /// The provider's own error code (`1013`, `alreadyExists`, `ZONE_RESOURCE_POOL_EXHAUSTED`).
    public var providerCode: String?
    /// The provider's message (never containing credentials).
    public var message: String
    /// How long the provider asked us to wait.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(
        _ code: Code,
        provider: String,
        operation: String,
        httpStatus: Int? = nil,
        providerCode: String? = nil,
        message: String,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.provider = provider
        self.operation = operation
        self.httpStatus = httpStatus
        self.providerCode = providerCode
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "\(self.provider) \(self.operation) failed"
        if let status = self.httpStatus { text += " (HTTP \(status)" + (self.providerCode.map { ", \($0)" } ?? "") + ")" }
        text += ": \(self.message) [\(self.code)]"
        return text
    }

    public static func == (lhs: ProviderError, rhs: ProviderError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
