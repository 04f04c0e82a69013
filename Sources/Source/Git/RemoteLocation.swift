import Reconciler

/// Where a configured remote lives, as far as the adapter cares: over the network (so a
/// deadline and a token apply) or on this machine's file system.
enum RemoteLocation: Sendable, Equatable {
    /// `https://…`, or `http://…` to a loopback host.
    case network
    /// `file://…` or an absolute path; `path` is the directory.
    case local(path: String)

    /// Parses and checks a configured URL; the messages repeat the URL, which carries no
    /// credentials because those are refused.
    init(parsing url: String) throws(GitSourceError) {
        guard !url.isEmpty, !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7f }) else {
            throw GitSourceError(.invalidConfiguration, "the remote URL is empty or contains spaces or control characters; fix it")
        }
        if url.hasPrefix("/") {
            self = .local(path: url)
        } else if url.hasPrefix("file://") {
            let path = String(url.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw GitSourceError(.invalidConfiguration, "the remote '\(url)' is not file:///absolute/path; fix the URL")
            }
            self = .local(path: path)
        } else if url.hasPrefix("https://") || url.hasPrefix("http://") {
            try Self.checkNetwork(url)
            self = .network
        } else {
            throw GitSourceError(
                .invalidConfiguration,
                "the remote '\(Self.withoutCredentials(url))' is not an https://, file:// URL or an absolute path; fix the URL (SSH remotes are not supported)"
            )
        }
    }

    /// Refuses credentials in the URL, a missing host or repository path, and plain HTTP beyond loopback.
    private static func checkNetwork(_ url: String) throws(GitSourceError) {
        let isHTTPS = url.hasPrefix("https://")
        let rest = url.dropFirst(isHTTPS ? "https://".count : "http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else {
            throw GitSourceError(
                .invalidConfiguration,
                "the remote URL '\(Self.withoutCredentials(url))' carries credentials; remove them from the URL and configure a token instead"
            )
        }
        guard !authority.isEmpty, rest.count > authority.count + 1 else {
            throw GitSourceError(.invalidConfiguration, "the remote URL '\(url)' names no host or no repository path; fix it")
        }
        guard isHTTPS || Self.isLoopback(String(authority)) else {
            throw GitSourceError(.invalidConfiguration, "the remote URL '\(url)' uses plain http:// to a non-loopback host; use https://")
        }
    }

    /// True for `127.x.x.x`, `localhost` and `[::1]`, with or without a port.
    static func isLoopback(_ authority: String) -> Bool {
        if authority.hasPrefix("[::1]") { return true }
        let host = authority.prefix { $0 != ":" }
        return host == "localhost" || host.hasPrefix("127.")
    }

    /// `url` with any `user:password@` replaced by `<redacted>@`, for messages about a refused URL.
    static func withoutCredentials(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url.contains("@") ? "<redacted>" : url }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "<redacted>" + String(rest[at...])
    }
}
