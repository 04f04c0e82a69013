import Foundation
import ProviderSupport

/// Access tokens from the GCE metadata server, for code running on a VM:
/// `GET http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token`
/// with `Metadata-Flavor: Google`. Cached until five minutes before expiry.
public actor MetadataServerTokenProvider: AccessTokenProvider {
    private let host: String
    private let transport: any HTTPSending
    private let now: @Sendable () -> Date
    private var cached: (token: String, expires: Date)?

    /// The metadata server's host on every GCE VM.
    public static let defaultHost = "metadata.google.internal"

    /// Creates a provider for `host` (`host:port`; the caller resolves `GCE_METADATA_HOST`).
    public init(host: String = MetadataServerTokenProvider.defaultHost, transport: any HTTPSending, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.host = host
        self.transport = transport
        self.now = now
    }

    public func authorization() async throws -> String {
        let now = self.now()
        if let cached, cached.expires.addingTimeInterval(-300) > now { return "Bearer \(cached.token)" }
        let url = "http://\(self.host)/computeMetadata/v1/instance/service-accounts/default/token"
        let response = try await self.transport.send(method: "GET", url: url, headers: [("Metadata-Flavor", "Google")], body: nil)
        struct Token: Decodable {
            var access_token: String
            var expires_in: Int
        }
        guard response.status == 200, let token = try? JSONDecoder().decode(Token.self, from: Data(response.body)) else {
            throw ProviderError(
                .auth,
                provider: "gce",
                operation: "metadata.token",
                httpStatus: response.status,
                message: "the metadata server gave no token"
            )
        }
        self.cached = (token.access_token, now.addingTimeInterval(TimeInterval(token.expires_in)))
        return "Bearer \(token.access_token)"
    }
}
