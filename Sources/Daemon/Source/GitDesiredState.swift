import Reconciler

/// The desired state from a git branch, under the revision policy: a new head is accepted only
/// if it fast-forwards from the applied revision (or an operator approved it), every new commit
/// carries an allowed signature (when signers are configured), and the fleet file exists and is
/// valid at it. Anything else keeps the applied revision.
public actor GitDesiredState: DesiredStateSource {
    /// What the status shows.
    public nonisolated let description: SourceDescription
    private let git: any GitSource
    private let path: String
    private let verifier: (any CommitVerifier)?
    private let loader: SpecLoader
    /// The last head refused for a reason a refetch cannot change, with the approval it was
    /// judged under: asked again, it is refused again without fetching.
    private var refused: (head: Revision, approved: Revision?, poll: SourcePoll)?

    /// A source reading `path` from `git`.
    public init(git: any GitSource, description: SourceDescription, verifier: (any CommitVerifier)?, loader: @escaping SpecLoader) {
        self.git = git
        self.description = description
        self.path = description.path
        self.verifier = verifier
        self.loader = loader
    }

    public func poll(applied: Revision?, approved: Revision?) async -> SourcePoll {
        let head: Revision
        do {
            head = try await self.git.remoteHead()
        } catch {
            return .unready(head: nil, reason: "FetchFailed", message: error.message, diagnostics: [])
        }
        if head == applied { return .unchanged(head: head) }
        if let refused = self.refused, refused.head == head, refused.approved == approved { return refused.poll }
        do {
            let fetched = try await self.git.fetch()
            let poll = try await self.judge(fetched, applied: applied, approved: approved)
            if case .unchanged = poll { return poll }
            if case .accepted = poll { self.refused = nil } else { self.refused = (fetched, approved, poll) }
            return poll
        } catch {
            return .unready(head: head, reason: "FetchFailed", message: error.message, diagnostics: [])
        }
    }

    public func load(_ revision: Revision) async -> SourcePoll {
        do {
            // Accepted before, under the same signers: verified then, if any were configured.
            return try await self.read(revision, verified: self.verifier == nil ? nil : true)
        } catch let error where error.code == .objectMissing {
            // The local copy lost it (a wiped state directory): fetch, then read again.
            do {
                _ = try await self.git.fetch()
                return try await self.read(revision, verified: self.verifier == nil ? nil : true)
            } catch {
                return .unready(head: revision, reason: "FetchFailed", message: error.message, diagnostics: [])
            }
        } catch {
            return .unready(head: revision, reason: "FetchFailed", message: error.message, diagnostics: [])
        }
    }

    /// Applies the policy to a fetched head.
    private func judge(_ head: Revision, applied: Revision?, approved: Revision?) async throws(GitSourceError) -> SourcePoll {
        if head == applied { return .unchanged(head: head) }
        if let applied, !(try await self.fastForwards(to: head, from: applied, approved: approved)) {
            return .stalled(
                head: head,
                reason: "NonFastForward",
                message:
                    "\(head.short) does not fast-forward from the applied \(applied.short) (a force-push or rewritten history); "
                    + "staying on \(applied.short); approve it with: devopsdefender approve --control-plane URL \(head.hex)"
            )
        }
        var verified: Bool?
        if let verifier = self.verifier {
            let commits = try await self.newCommits(to: head, applied: applied)
            if let rejection = verifier.firstRejected(commits) {
                return .stalled(
                    head: head,
                    reason: "Unverified",
                    message:
                        "commit \(rejection.revision.hex) is not signed by an allowed signer (\(rejection.reason)); staying on the applied revision"
                )
            }
            verified = true
        }
        return try await self.read(head, verified: verified)
    }

    /// True when `head` descends from `applied`, or from the revision an operator approved (a
    /// push on top of an approved head needs no second approval).
    private func fastForwards(to head: Revision, from applied: Revision, approved: Revision?) async throws(GitSourceError) -> Bool {
        if try await self.git.isAncestor(applied, of: head) { return true }
        guard let approved else { return false }
        return try await self.git.isAncestor(approved, of: head)
    }

    /// The commits a move to `head` brings: those not reachable from `applied`; the head commit
    /// alone on the first start (older history was never promised to be signed).
    private func newCommits(to head: Revision, applied: Revision?) async throws(GitSourceError) -> [CommitRecord] {
        let commits = try await self.git.commits(from: applied, to: head)
        return applied == nil ? Array(commits.suffix(1)) : commits
    }

    /// The fleet file at `revision`, loaded.
    private func read(_ revision: Revision, verified: Bool?) async throws(GitSourceError) -> SourcePoll {
        guard let bytes = try await self.git.file(self.path, at: revision) else {
            return .unready(
                head: revision,
                reason: "FileMissing",
                message: "\(revision.short) has no \(self.path); add it, or pass the right --path",
                diagnostics: []
            )
        }
        switch self.loader(bytes, revision) {
        case .success(let target):
            let committedAt = try await self.git.commitTime(of: revision)
            return .accepted(DesiredRevision(revision: revision, target: target, verified: verified, committedAt: committedAt))
        case .failure(let rejection):
            return .unready(
                head: revision,
                reason: "InvalidSpec",
                message:
                    "\(self.path) at \(revision.short) is not valid (\(rejection.diagnostics.count) problem(s)); staying on the applied revision",
                diagnostics: rejection.diagnostics
            )
        }
    }
}

extension Error {
    /// A one-line description for a status message.
    var message: String { (self as? GitSourceError)?.message ?? "\(self)" }
}
