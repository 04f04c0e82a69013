import Dispatch
import Reconciler

/// The fleet repository read through libgit2 (no `git` binary): one branch of one remote over
/// HTTPS (a token only in an `Authorization` header), loopback HTTP, `file://` or a local path,
/// fetched in full into a bare repository in the cache directory.
///
/// Every call runs on a private serial queue, so libgit2's blocking work holds a Dispatch thread,
/// never one of the cooperative pool, and one source's calls never overlap (give each source its
/// own cache directory: two sources on one directory would race). Network calls end with
/// `.timeout` once ``Configuration/fetchTimeout`` has passed (its documentation says what that
/// bounds). No error message carries the token.
public final class GitSourceLibGit2: GitSource {
    /// The configuration this source was made with.
    public let configuration: Configuration
    private let source: BlockingGitSource
    private let queue: DispatchQueue

    /// Checks `configuration` (without touching the network) and initialises libgit2 if this is
    /// the process's first source; `.invalidConfiguration` says what to fix.
    public init(configuration: Configuration) throws(GitSourceError) {
        try LibGit2Runtime.ensureInitialised()
        self.configuration = configuration
        self.source = BlockingGitSource(configuration: configuration, location: try configuration.validated())
        self.queue = DispatchQueue(label: "devopsdefender.git-source")
    }

    public func remoteHead() async throws(GitSourceError) -> Revision {
        try await self.run { source throws(GitSourceError) in try source.remoteHead() }
    }

    public func fetch() async throws(GitSourceError) -> Revision {
        try await self.run { source throws(GitSourceError) in try source.fetch() }
    }

    public func file(_ path: String, at revision: Revision) async throws(GitSourceError) -> [UInt8]? {
        try await self.run { source throws(GitSourceError) in try source.file(path, at: revision) }
    }

    public func isAncestor(_ ancestor: Revision, of descendant: Revision) async throws(GitSourceError) -> Bool {
        try await self.run { source throws(GitSourceError) in try source.isAncestor(ancestor, of: descendant) }
    }

    public func commits(from base: Revision?, to head: Revision) async throws(GitSourceError) -> [CommitRecord] {
        try await self.run { source throws(GitSourceError) in try source.commits(from: base, to: head) }
    }

    public func commitTime(of revision: Revision) async throws(GitSourceError) -> Int64 {
        try await self.run { source throws(GitSourceError) in try source.commitTime(of: revision) }
    }

    /// Runs `body` on the queue, suspending (not blocking) the caller until it finishes; the
    /// error's message has every form of the token redacted, whatever produced it.
    private func run<T: Sendable>(
        _ body: @escaping @Sendable (BlockingGitSource) throws(GitSourceError) -> T
    ) async throws(GitSourceError) -> T {
        let source = self.source
        let secrets = self.configuration.token?.secrets ?? []
        let result: Result<T, GitSourceError> = await withCheckedContinuation { continuation in
            self.queue.async {
                do throws(GitSourceError) {
                    continuation.resume(returning: .success(try body(source)))
                } catch {
                    continuation.resume(returning: .failure(LibGit2Error.redacting(secrets, in: error)))
                }
            }
        }
        return try result.get()
    }
}
