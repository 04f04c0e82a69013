/// The fleet repository, as the daemon reads it: one branch of one remote, fetched into a local
/// copy the adapter owns. A port: the libgit2 adapter (`GitSourceLibGit2`) implements it, and tests
/// may use an in-memory one. Every call may block on the network or the disk; adapters run them
/// off the cooperative thread pool.
public protocol GitSource: Sendable {
    /// The branch's head on the remote, asked without fetching any object (the cheap "did the
    /// head move" check made before every fetch).
    func remoteHead() async throws(GitSourceError) -> Revision
    /// Fetches the branch into the local copy (cloning it the first time) and returns the head
    /// that was fetched.
    func fetch() async throws(GitSourceError) -> Revision
    /// The bytes of the file at `path` (relative to the repository's root) in `revision`'s
    /// tree; nil when that tree has no such file.
    func file(_ path: String, at revision: Revision) async throws(GitSourceError) -> [UInt8]?
    /// True when `ancestor` is `descendant` or one of its ancestors: a move from `ancestor` to
    /// `descendant` is a fast-forward.
    func isAncestor(_ ancestor: Revision, of descendant: Revision) async throws(GitSourceError) -> Bool
    /// The commits reachable from `head` and not from `base` (every commit of `head`'s history
    /// when `base` is nil), oldest first, each with what a signature check needs.
    func commits(from base: Revision?, to head: Revision) async throws(GitSourceError) -> [CommitRecord]
    /// When `revision` was committed: its committer timestamp, in seconds since 1970 (the
    /// committer's clock, so only as right as that clock).
    func commitTime(of revision: Revision) async throws(GitSourceError) -> Int64
}
