/// What a port throws when its source cannot be read at all — the credentials were refused, or
/// the project, account or zone does not exist for them — as opposed to a transient failure.
/// The observer reports such a source as unreadable, and a cycle stops before planning: an empty
/// list here would plan the whole fleet as missing.
public struct SourceUnreadable: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in one sentence, never with a secret
    /// (`Cloudflare refused the API token (HTTP 403, code 10000: Authentication error)`).
    public var cause: String
    /// What to do about it (`set DD_CF_API_TOKEN to a valid token with Tunnel and DNS edit rights`).
    public var fix: String

    /// Creates the error.
    public init(cause: String, fix: String) {
        self.cause = cause
        self.fix = fix
    }

    public var description: String { "\(self.cause); \(self.fix)" }
}
