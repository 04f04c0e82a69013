import CLibGit2
import Reconciler

/// One libgit2 remote for one ``NetworkOperation``: created from the configured URL (detached,
/// or anonymous inside the local copy when fetching), connected for fetching with the token's
/// header, no proxy and no redirects (a redirect would carry the header to another host), and
/// freed (which disconnects it) in `deinit`.
final class RemoteSession {
    private let remote: OpaquePointer
    private let headers: CStringArray
    private let configuration: GitSourceLibGit2.Configuration
    private let location: RemoteLocation
    private let operation: NetworkOperation

    /// Creates and connects the remote.
    init(
        _ configuration: GitSourceLibGit2.Configuration,
        location: RemoteLocation,
        in repository: LocalRepository?,
        operation: NetworkOperation
    ) throws(GitSourceError) {
        var remote: OpaquePointer?
        let status =
            if let repository { git_remote_create_anonymous(&remote, repository.pointer, configuration.url) } else {
                git_remote_create_detached(&remote, configuration.url)
            }
        guard status == 0, let remote else {
            throw GitSourceError(
                .invalidConfiguration,
                "libgit2 cannot use the remote '\(configuration.url)' (\(LibGit2Error.lastMessage())); fix the URL"
            )
        }
        self.remote = remote
        self.headers = CStringArray(configuration.token.map { ["Authorization: \($0.basicAuthorization)"] } ?? [])
        self.configuration = configuration
        self.location = location
        self.operation = operation
        try self.connect()
    }

    deinit {
        git_remote_free(self.remote)
    }

    private func connect() throws(GitSourceError) {
        var options = git_remote_connect_options()
        git_remote_connect_options_init(&options, UInt32(GIT_REMOTE_CONNECT_OPTIONS_VERSION))
        options.callbacks = self.operation.callbacks()
        options.proxy_opts.type = GIT_PROXY_NONE
        options.follow_redirects = GIT_REMOTE_REDIRECT_NONE
        options.custom_headers = self.headers.strarray
        let status = git_remote_connect_ext(self.remote, GIT_DIRECTION_FETCH, &options)
        guard status == 0 else { throw self.failure(status, .connecting) }
    }

    /// The configured branch's head as the remote advertises it; `.branchNotFound` when it has
    /// no such branch.
    func branchHead() throws(GitSourceError) -> Revision {
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        let status = git_remote_ls(&heads, &count, self.remote)
        guard status == 0 else { throw self.failure(status, .listing) }
        let wanted = "refs/heads/\(self.configuration.branch)"
        for index in 0..<count {
            guard let head = heads?[index], let name = head.pointee.name, String(cString: name) == wanted else { continue }
            return Revision(head.pointee.oid)
        }
        throw GitSourceError(
            .branchNotFound,
            "the remote \(self.configuration.url) has no branch '\(self.configuration.branch)'; push it or fix the configured branch"
        )
    }

    /// Downloads the objects the configured branch needs that the local copy lacks; writes no
    /// reference (the caller does, once it has checked the head arrived).
    func downloadBranch() throws(GitSourceError) {
        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        options.callbacks = self.operation.callbacks()
        options.proxy_opts.type = GIT_PROXY_NONE
        options.follow_redirects = GIT_REMOTE_REDIRECT_NONE
        options.custom_headers = self.headers.strarray
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.prune = GIT_FETCH_NO_PRUNE
        options.update_fetchhead = 0
        let branch = self.configuration.branch
        let refspecs = CStringArray(["+refs/heads/\(branch):refs/remotes/origin/\(branch)"])
        var refspecArray = refspecs.strarray
        let status = withExtendedLifetime(refspecs) { git_remote_download(self.remote, &refspecArray, &options) }
        guard status == 0 else { throw self.failure(status, .fetching) }
    }

    private func failure(_ status: Int32, _ step: RemoteFailure.Step) -> GitSourceError {
        RemoteFailure.classify(
            status: status,
            step: step,
            configuration: self.configuration,
            location: self.location,
            operation: self.operation
        )
    }
}
