/// What checking a GitHub webhook delivery's signature concluded. Only ``valid`` lets the
/// payload be read.
public enum WebhookSignatureVerdict: Hashable, Sendable, CustomStringConvertible {
    /// `X-Hub-Signature-256` is the HMAC-SHA256 of the raw body under the secret.
    case valid
    /// Neither `X-Hub-Signature-256` nor `X-Hub-Signature`: the webhook has no secret set.
    case missing
    /// Only the legacy SHA-1 `X-Hub-Signature`; it is not accepted.
    case onlySHA1
    /// `X-Hub-Signature-256` is not `sha256=` and 64 hex digits, or appears more than once.
    case malformed(reason: String)
    /// A well-formed signature that does not match: wrong secret or altered body.
    case mismatch

    public var description: String {
        switch self {
        case .valid: "valid signature"
        case .missing: "no X-Hub-Signature-256 header; set the webhook's secret in GitHub"
        case .onlySHA1: "only the legacy SHA-1 X-Hub-Signature header; SHA-256 is required"
        case .malformed(let reason): "malformed X-Hub-Signature-256: \(reason)"
        case .mismatch: "X-Hub-Signature-256 does not match the body (wrong secret or altered body)"
        }
    }
}
