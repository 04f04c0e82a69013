/// Keeps secrets out of logs and errors.
public enum Redaction {
    /// Query parameters whose values are never logged.
    static let secretParameters: Set<String> = ["token", "key", "secret", "assertion", "access_token", "signature", "password"]

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
}
