import Crypto
import Encoding

/// Checks GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of
/// the raw request body under the webhook's secret. Check it over the exact bytes received,
/// before parsing them. The comparison is constant-time (swift-crypto's
/// `HMAC.isValidAuthenticationCode`).
///
/// Hex digits may be either case (GitHub sends lowercase); the `sha256=` prefix must be exactly
/// that. The legacy SHA-1 `X-Hub-Signature` is never accepted.
public struct WebhookSignatureVerifier: Sendable {
    /// The header GitHub puts the SHA-256 signature in.
    public static let signatureHeader = "X-Hub-Signature-256"
    /// The legacy SHA-1 header.
    public static let legacySignatureHeader = "X-Hub-Signature"

    private let key: SymmetricKey

    /// A verifier for the webhook secret `secret` (its UTF-8 bytes are the HMAC key).
    public init(secret: String) {
        self.key = SymmetricKey(data: Array(secret.utf8))
    }

    /// Checks `body` against the values of the two signature headers (nil when absent).
    public func verify(body: [UInt8], signature256: String?, legacySignature: String?) -> WebhookSignatureVerdict {
        guard let header = signature256 else { return legacySignature == nil ? .missing : .onlySHA1 }
        guard header.hasPrefix("sha256=") else {
            return .malformed(reason: "it must start with \"sha256=\"")
        }
        let digits = header.dropFirst("sha256=".count)
        guard digits.utf8.count == 2 * SHA256.byteCount, let mac = Hex.decode(digits) else {
            return .malformed(reason: "\"sha256=\" must be followed by 64 hex digits")
        }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: self.key) ? .valid : .mismatch
    }

    /// Checks `body` against a request's header fields, names compared case-insensitively. A
    /// signature header given more than once is malformed.
    public func verify(body: [UInt8], headers: some Sequence<(name: String, value: String)>) -> WebhookSignatureVerdict {
        let signatures = Self.values(of: Self.signatureHeader, in: headers)
        guard signatures.count <= 1 else {
            return .malformed(reason: "\(Self.signatureHeader) appears \(signatures.count) times")
        }
        let legacy = Self.values(of: Self.legacySignatureHeader, in: headers)
        return self.verify(body: body, signature256: signatures.first, legacySignature: legacy.first)
    }

    private static func values(of name: String, in headers: some Sequence<(name: String, value: String)>) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }
}
