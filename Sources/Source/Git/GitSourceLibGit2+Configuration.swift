import Reconciler

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension GitSourceLibGit2 {
    /// Where the fleet repository is and how to reach it. Passed in whole: the adapter reads no
    /// environment variable and no git configuration file.
    public struct Configuration: Sendable, CustomStringConvertible {
        /// The remote: `https://host/owner/repo.git`, `http://` to a loopback host only (tests; a
        /// token must not cross a network in the clear), `file:///abs/path`, or an absolute path.
        /// Credentials in the URL are refused: give a ``token`` instead.
        public var url: String
        /// The branch to follow.
        public var branch: String
        /// The directory of the local copy (a bare repository the adapter creates and owns).
        public var cacheDirectory: String
        /// Sent only as `Authorization: Basic base64("x-access-token:" + token)` on HTTP(S).
        public var token: AccessToken?
        /// The most one network call (``GitSourceLibGit2/remoteHead()``, or the network part of
        /// ``GitSourceLibGit2/fetch()``) may spend on HTTP(S): one deadline bounds connecting,
        /// the TLS handshake and every wait for a request to go out or an answer to come in.
        /// It does not bound name resolution, the local work after the last byte (indexing the
        /// pack, writing the reference), nor `file://` and path remotes (no network; their
        /// transfer is aborted at the deadline only while libgit2 reports progress).
        public var fetchTimeout: Duration
        /// The PEM bundle of trusted CAs for HTTPS (mbedTLS has no default store).
        public var caFile: String?
        /// A directory of trusted CA certificates, beside or instead of ``caFile``.
        public var caDirectory: String?

        /// Debian's CA bundle, when this machine has it.
        public static var defaultCAFile: String? {
            let path = "/etc/ssl/certs/ca-certificates.crt"
            return access(path, R_OK) == 0 ? path : nil
        }

        /// Creates a configuration; only ``url`` and ``cacheDirectory`` have no default.
        public init(
            url: String,
            cacheDirectory: String,
            branch: String = "main",
            token: AccessToken? = nil,
            fetchTimeout: Duration = .seconds(60),
            caFile: String? = Self.defaultCAFile,
            caDirectory: String? = nil
        ) {
            self.url = url
            self.cacheDirectory = cacheDirectory
            self.branch = branch
            self.token = token
            self.fetchTimeout = fetchTimeout
            self.caFile = caFile
            self.caDirectory = caDirectory
        }

        public var description: String {
            "\(self.url) branch \(self.branch) (cache \(self.cacheDirectory), token \(self.token == nil ? "none" : "<redacted>"))"
        }

        /// Checks everything that can be checked without the network; returns where the remote is.
        func validated() throws(GitSourceError) -> RemoteLocation {
            let location = try RemoteLocation(parsing: self.url)
            guard self.cacheDirectory.hasPrefix("/") else {
                throw GitSourceError(.invalidConfiguration, "the cache directory '\(self.cacheDirectory)' is not an absolute path; give one")
            }
            guard self.fetchTimeout > .zero else {
                throw GitSourceError(.invalidConfiguration, "the fetch timeout \(self.fetchTimeout) is not positive; give a positive duration")
            }
            if self.token != nil, case .local = location {
                throw GitSourceError(.invalidConfiguration, "a token is set for the local remote \(self.url), which cannot use it; remove the token")
            }
            try Self.checkReadable(self.caFile, what: "CA file")
            try Self.checkReadable(self.caDirectory, what: "CA directory")
            try LibGit2Runtime.checkBranchName(self.branch)
            return location
        }

        private static func checkReadable(_ path: String?, what: String) throws(GitSourceError) {
            guard let path, access(path, R_OK) != 0 else { return }
            throw GitSourceError(.invalidConfiguration, "the \(what) '\(path)' cannot be read; fix the path or its permissions")
        }
    }
}
