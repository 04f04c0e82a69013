import CLibGit2
import Reconciler

/// The local copy: a bare repository in the cache directory, opened for one call on the
/// source's queue and closed (in `deinit`, which only frees libgit2's handle) after it.
final class LocalRepository {
    /// libgit2's `git_repository *`.
    let pointer: OpaquePointer
    /// The cache directory, for messages.
    let path: String

    private init(pointer: OpaquePointer, path: String) {
        self.pointer = pointer
        self.path = path
    }

    deinit {
        git_repository_free(self.pointer)
    }

    /// Opens the local copy; `.objectMissing` when nothing was fetched into it yet.
    static func open(at path: String) throws(GitSourceError) -> LocalRepository {
        var repository: OpaquePointer?
        let status = git_repository_open_bare(&repository, path)
        if status == GIT_ENOTFOUND.rawValue {
            throw GitSourceError(.objectMissing, "there is no local copy at \(path) yet; fetch before reading revisions")
        }
        guard status == 0, let repository else { throw Self.failure("opening", path: path) }
        return LocalRepository(pointer: repository, path: path)
    }

    /// Opens the local copy, creating an empty bare repository (and its parent directories) first
    /// when there is none.
    static func openOrCreate(at path: String) throws(GitSourceError) -> LocalRepository {
        var repository: OpaquePointer?
        var status = git_repository_open_bare(&repository, path)
        if status == GIT_ENOTFOUND.rawValue {
            var options = git_repository_init_options()
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
            options.flags = GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
            status = git_repository_init_ext(&repository, path, &options)
        }
        guard status == 0, let repository else { throw Self.failure("creating or opening", path: path) }
        return LocalRepository(pointer: repository, path: path)
    }

    /// True when the object database holds `revision`.
    func contains(_ revision: Revision) -> Bool {
        var database: OpaquePointer?
        guard git_repository_odb(&database, self.pointer) == 0, let database else { return false }
        defer { git_odb_free(database) }
        var oid = revision.objectID
        return git_odb_exists(database, &oid) == 1
    }

    /// Points the reference `name` at `revision`, whatever it pointed at before (a force-push
    /// moves it backwards; deciding whether that is acceptable is the caller's business).
    func setReference(_ name: String, to revision: Revision) throws(GitSourceError) {
        var oid = revision.objectID
        var reference: OpaquePointer?
        guard git_reference_create(&reference, self.pointer, name, &oid, 1, "fetch") == 0 else {
            throw self.failure("updating \(name)")
        }
        git_reference_free(reference)
    }

    /// Runs `body` with the commit `revision` (a `git_commit *`); `.objectMissing` when the
    /// local copy lacks it or it is not a commit.
    func withCommit<T>(_ revision: Revision, _ body: (OpaquePointer) throws(GitSourceError) -> T) throws(GitSourceError) -> T {
        var oid = revision.objectID
        var commit: OpaquePointer?
        let status = git_commit_lookup(&commit, self.pointer, &oid)
        guard status == 0, let commit else {
            guard status == GIT_ENOTFOUND.rawValue || status == GIT_EINVALIDSPEC.rawValue else {
                throw self.failure("reading commit \(revision.short)")
            }
            throw GitSourceError(.objectMissing, "commit \(revision.short) is not in the local copy at \(self.path); fetch it first")
        }
        defer { git_commit_free(commit) }
        return try body(commit)
    }

    /// `.objectMissing` unless the local copy holds the commit `revision`.
    func requireCommit(_ revision: Revision) throws(GitSourceError) {
        try self.withCommit(revision) { _ throws(GitSourceError) in }
    }

    /// `.io` for a failed libgit2 call on this repository, with libgit2's reason.
    func failure(_ doing: String) -> GitSourceError {
        Self.failure(doing, path: self.path)
    }

    private static func failure(_ doing: String, path: String) -> GitSourceError {
        GitSourceError(
            .io,
            "\(doing) the local copy at \(path) failed (\(LibGit2Error.lastMessage())); check the cache directory's permissions and free space"
        )
    }
}
