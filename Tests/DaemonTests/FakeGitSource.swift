import Daemon
import Foundation
import Reconciler
import Synchronization

/// A repository in memory: commits with one parent each, a branch head the test moves (a push or
/// a force-push), and counters of what the source was asked.
final class FakeGitSource: GitSource {
    struct Commit {
        var parent: Revision?
        var files: [String: [UInt8]]
        var signature: String?
    }

    private struct State {
        var commits: [Revision: Commit] = [:]
        var head: Revision?
        var next = 1
        var fetches = 0
        var failure: GitSourceError?
        /// The local copy is gone (a wiped state directory): objects are missing until a fetch.
        var lost = false
    }

    private let state = Mutex(State())

    /// Commits `files` on top of `parent` (the head when nil); moves the head there unless told not to.
    @discardableResult
    func commit(_ files: [String: String], parent: Revision? = nil, signed: Bool = true, moveHead: Bool = true) -> Revision {
        self.state.withLock { state in
            let revision = Revision(String(format: "%040x", state.next))!
            state.next += 1
            let commit = Commit(parent: parent ?? state.head, files: files.mapValues { Array($0.utf8) }, signature: signed ? "good" : nil)
            state.commits[revision] = commit
            if moveHead { state.head = revision }
            return revision
        }
    }

    /// Points the branch at `revision` (a force-push when it is not a descendant).
    func forcePush(_ revision: Revision) { self.state.withLock { $0.head = revision } }

    /// Makes every call fail with `error` (nil: work again).
    func fail(with error: GitSourceError?) { self.state.withLock { $0.failure = error } }

    var fetches: Int { self.state.withLock { $0.fetches } }

    /// Forgets the local copy: reads fail with `objectMissing` until the next fetch.
    func loseLocalCopy() { self.state.withLock { $0.lost = true } }

    func remoteHead() async throws(GitSourceError) -> Revision {
        try self.state.withLock { state throws(GitSourceError) in
            if let failure = state.failure { throw failure }
            guard let head = state.head else { throw GitSourceError(.branchNotFound, "no branch main") }
            return head
        }
    }

    func fetch() async throws(GitSourceError) -> Revision {
        let head = try await self.remoteHead()
        self.state.withLock {
            $0.fetches += 1
            $0.lost = false
        }
        return head
    }

    func file(_ path: String, at revision: Revision) async throws(GitSourceError) -> [UInt8]? {
        if self.state.withLock({ $0.lost }) { throw GitSourceError(.objectMissing, "no commit \(revision) in the local copy") }
        return try self.commitAt(revision).files[path]
    }

    func isAncestor(_ ancestor: Revision, of descendant: Revision) async throws(GitSourceError) -> Bool {
        try self.history(of: descendant).contains(ancestor)
    }

    func commits(from base: Revision?, to head: Revision) async throws(GitSourceError) -> [CommitRecord] {
        let hidden = try base.map { revision throws(GitSourceError) in Set(try self.history(of: revision)) } ?? []
        return try self.history(of: head).filter { !hidden.contains($0) }.reversed().map { revision throws(GitSourceError) in
            let commit = try self.commitAt(revision)
            return CommitRecord(revision: revision, signedPayload: commit.signature == nil ? [] : [1], signature: commit.signature)
        }
    }

    /// Commit `n` (the n-th made) was committed at 1,700,000,000 + 60·n seconds.
    func commitTime(of revision: Revision) async throws(GitSourceError) -> Int64 {
        _ = try self.commitAt(revision)
        return 1_700_000_000 + 60 * Int64(revision.hex, radix: 16)!
    }

    /// `revision` and its ancestors, newest first.
    private func history(of revision: Revision) throws(GitSourceError) -> [Revision] {
        var result: [Revision] = []
        var current: Revision? = revision
        while let revision = current {
            result.append(revision)
            current = try self.commitAt(revision).parent
        }
        return result
    }

    private func commitAt(_ revision: Revision) throws(GitSourceError) -> Commit {
        guard let commit = self.state.withLock({ $0.commits[revision] }) else { throw GitSourceError(.objectMissing, "no commit \(revision)") }
        return commit
    }
}

/// Accepts commits whose signature is "good".
struct FakeVerifier: CommitVerifier {
    func firstRejected(_ commits: [CommitRecord]) -> CommitRejection? {
        commits.first { $0.signature != "good" }.map { CommitRejection(revision: $0.revision, reason: $0.signature == nil ? "unsigned" : "bad") }
    }
}
