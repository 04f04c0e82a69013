import CLibGit2
import Reconciler

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ``GitSource`` calls as blocking functions. Run only on a ``GitSourceLibGit2``'s
/// serial queue: they hold their thread for as long as libgit2 does.
struct BlockingGitSource: Sendable {
    /// The checked configuration.
    let configuration: GitSourceLibGit2.Configuration
    /// Where its remote is.
    let location: RemoteLocation

    func remoteHead() throws(GitSourceError) -> Revision {
        try self.network { operation throws(GitSourceError) in
            try RemoteSession(self.configuration, location: self.location, in: nil, operation: operation).branchHead()
        }
    }

    func fetch() throws(GitSourceError) -> Revision {
        let repository = try LocalRepository.openOrCreate(at: self.configuration.cacheDirectory)
        let head = try self.network { operation throws(GitSourceError) in
            let session = try RemoteSession(self.configuration, location: self.location, in: repository, operation: operation)
            let head = try session.branchHead()
            try session.downloadBranch()
            return head
        }
        guard repository.contains(head) else {
            throw GitSourceError(.io, "the fetch from \(self.configuration.url) ended without commit \(head.short); fetch again")
        }
        try repository.setReference("refs/remotes/origin/\(self.configuration.branch)", to: head)
        return head
    }

    func file(_ path: String, at revision: Revision) throws(GitSourceError) -> [UInt8]? {
        try LocalRepository.open(at: self.configuration.cacheDirectory).file(path, at: revision)
    }

    func isAncestor(_ ancestor: Revision, of descendant: Revision) throws(GitSourceError) -> Bool {
        try LocalRepository.open(at: self.configuration.cacheDirectory).isAncestor(ancestor, of: descendant)
    }

    func commits(from base: Revision?, to head: Revision) throws(GitSourceError) -> [CommitRecord] {
        try LocalRepository.open(at: self.configuration.cacheDirectory).commits(from: base, to: head)
    }

    func commitTime(of revision: Revision) throws(GitSourceError) -> Int64 {
        try LocalRepository.open(at: self.configuration.cacheDirectory).withCommit(revision) { commit in Int64(git_commit_time(commit)) }
    }

    /// Runs `body` as one ``NetworkOperation`` bounded by the fetch timeout, after checking a
    /// local remote still exists and giving libgit2 the configured CAs.
    private func network<T>(_ body: (NetworkOperation) throws(GitSourceError) -> T) throws(GitSourceError) -> T {
        if case .local(let path) = self.location {
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
                throw GitSourceError(.invalidConfiguration, "the remote path \(path) is not a directory; fix the URL")
            }
        } else {
            try LibGit2Runtime.useCertificates(file: self.configuration.caFile, directory: self.configuration.caDirectory)
        }
        let operation = NetworkOperation(timeout: self.configuration.fetchTimeout)
        return try operation.run { () throws(GitSourceError) in try body(operation) }
    }
}
