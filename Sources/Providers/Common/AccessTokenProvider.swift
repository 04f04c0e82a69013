/// Supplies the `Authorization` header value for each call (and refreshes it as needed).
public protocol AccessTokenProvider: Sendable {
    /// `Bearer <token>`.
    func authorization() async throws -> String
}

/// A fixed bearer token (Cloudflare API tokens).
public struct StaticBearerToken: AccessTokenProvider, CustomStringConvertible {
    private let token: String

    /// Wraps a token.
    public init(_ token: String) { self.token = token }

    public func authorization() async throws -> String { "Bearer \(self.token)" }

    /// Never the token itself.
    public var description: String { "StaticBearerToken(redacted)" }
}
