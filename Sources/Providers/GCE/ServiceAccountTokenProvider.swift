import Encoding
import Foundation
import ProviderSupport
import _CryptoExtras

/// OAuth2 access tokens for a service account: an RS256-signed JWT (`iss` = the account, `aud` =
/// the key's `token_uri`, one hour) exchanged at `token_uri`; cached and refreshed five minutes
/// before it expires.
public actor ServiceAccountTokenProvider: AccessTokenProvider {
    /// The scope requested.
    public static let scope = "https://www.googleapis.com/auth/cloud-platform"

    private let key: ServiceAccountKey
    private let signer: _RSA.Signing.PrivateKey
    private let transport: any HTTPSending
    private let now: @Sendable () -> Date
    private var cached: (token: String, expires: Date)?

    /// Creates a provider; `now` is injectable for tests.
    public init(key: ServiceAccountKey, transport: any HTTPSending, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.key = key
        self.signer = try _RSA.Signing.PrivateKey(pemRepresentation: key.privateKey)
        self.transport = transport
        self.now = now
    }

    public func authorization() async throws -> String {
        let now = self.now()
        if let cached, cached.expires.addingTimeInterval(-300) > now { return "Bearer \(cached.token)" }
        let assertion = try self.assertion(at: now)
        let form = "grant_type=\(Self.formEncode("urn:ietf:params:oauth:grant-type:jwt-bearer"))&assertion=\(assertion)"
        let response: HTTPTransport.Response
        do {
            response = try await self.transport.send(
                method: "POST",
                url: self.key.tokenURI,
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array(form.utf8)
            )
        } catch {
            throw ProviderError(
                .transient,
                provider: "gce",
                operation: "oauth.token",
                message: "token request to \(self.key.tokenURI) failed: \(error)"
            )
        }
        struct Token: Decodable {
            var access_token: String
            var expires_in: Int
        }
        guard response.status == 200, let token = try? JSONDecoder().decode(Token.self, from: Data(response.body)) else {
            struct Failure: Decodable {
                var error: String?
                var error_description: String?
            }
            let failure = try? JSONDecoder().decode(Failure.self, from: Data(response.body))
            throw ProviderError(
                response.status >= 500 ? .transient : .auth,
                provider: "gce",
                operation: "oauth.token",
                httpStatus: response.status,
                providerCode: failure?.error,
                message: failure?.error_description ?? "the token endpoint refused the service-account assertion"
            )
        }
        self.cached = (token.access_token, now.addingTimeInterval(TimeInterval(token.expires_in)))
        return "Bearer \(token.access_token)"
    }

    /// The signed JWT: `base64url(header).base64url(claims).base64url(RS256 signature)`.
    func assertion(at now: Date) throws -> String {
        let issued = Int(now.timeIntervalSince1970)
        let header = try JSONSerialization.data(withJSONObject: ["alg": "RS256", "typ": "JWT", "kid": self.key.privateKeyID], options: [.sortedKeys])
        let claims = try JSONSerialization.data(
            withJSONObject: ["iss": self.key.clientEmail, "scope": Self.scope, "aud": self.key.tokenURI, "iat": issued, "exp": issued + 3600]
                as [String: Any],
            options: [.sortedKeys, .withoutEscapingSlashes]
        )
        let signingInput = Self.base64URL(header) + "." + Self.base64URL(claims)
        let signature = try self.signer.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    static func base64URL(_ data: Data) -> String {
        Base64URL.encode(Array(data))
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
