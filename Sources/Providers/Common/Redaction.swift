import Foundation

/// Keeps secrets out of logs and errors.
public enum Redaction {
    /// Query parameters whose values are never logged.
    static let secretParameters: Set<String> = ["token", "key", "secret", "assertion", "access_token", "signature", "password"]

    /// Request headers whose values say nothing secret: every other header's value is treated
    /// as a credential and never rendered.
    static let plainHeaders: Set<String> = ["accept", "content-type", "content-length", "user-agent", "host"]

    /// What replaces a secret in a message.
    public static let placeholder = "<redacted>"

    /// `url` with secret query values replaced by `REDACTED`.
    public static func redact(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let query = url[url.index(after: question)...].split(separator: "&").map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first, self.secretParameters.contains(name.lowercased()) else { return String(pair) }
            return "\(name)=REDACTED"
        }
        return url[..<question] + "?" + query.joined(separator: "&")
    }

    /// The host (and port) of `url`, for logs: never its path, query or user information.
    public static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return String(authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority)
    }

    /// The name of the first header whose value HTTP does not allow (a control character other
    /// than tab: a line break, a NUL), or nil. A transport refuses such a request before
    /// sending it, naming the header and never its value.
    public static func forbiddenHeader(in headers: [(String, String)]) -> String? {
        headers.first { _, value in value.utf8.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F } }?.0
    }

    /// `text` with every secret header value of `headers` (and the credential inside a
    /// `Bearer …` or `Basic …` value) replaced by ``placeholder``: for errors that a library
    /// below us rendered from the request.
    public static func scrub(_ text: String, headers: [(String, String)]) -> String {
        var secrets: [String] = []
        for (name, value) in headers where !self.plainHeaders.contains(name.lowercased()) {
            secrets.append(value)
            if let space = value.firstIndex(of: " ") { secrets.append(String(value[value.index(after: space)...])) }
            // A value with a line break may be rendered line by line, or escaped.
            secrets += value.split(whereSeparator: \.isNewline).map(String.init)
            secrets.append(value.debugDescription.dropFirst().dropLast().description)
        }
        var scrubbed = text
        for secret in Set(secrets).sorted(by: { $0.count > $1.count }) where secret.count >= 4 {
            scrubbed = scrubbed.replacingOccurrences(of: secret, with: self.placeholder)
        }
        return scrubbed
    }
}
