import Daemon
import Reconciler
import Testing

/// The revision policy over a repository: fast-forwards only, approval of a rewritten head,
/// signatures on every new commit, the last good revision kept when the head is unusable.
@Suite struct GitDesiredStateTests {
    static func source(_ git: FakeGitSource, verify: Bool = false) throws -> GitDesiredState {
        GitDesiredState(
            git: git,
            description: DaemonFixture.description,
            verifier: verify ? FakeVerifier() : nil,
            loader: DaemonFixture.loader(try DaemonFixture.desired())
        )
    }

    static func accepted(_ poll: SourcePoll) -> Revision? {
        if case .accepted(let desired) = poll { return desired.revision }
        return nil
    }

    static func reason(_ poll: SourcePoll) -> String? {
        switch poll {
        case .stalled(_, let reason, _), .unready(_, let reason, _, _): reason
        default: nil
        }
    }

    @Test("the first head is accepted; an unchanged head is not fetched again; a fast-forward is accepted")
    func fastForward() async throws {
        let git = FakeGitSource()
        let first = git.commit(["fleet.yaml": "valid 1"])
        let source = try Self.source(git)
        #expect(Self.accepted(await source.poll(applied: nil, approved: nil)) == first)
        guard case .unchanged(let head) = await source.poll(applied: first, approved: nil) else {
            Issue.record("expected unchanged")
            return
        }
        #expect(head == first && git.fetches == 1)
        let second = git.commit(["fleet.yaml": "valid 2"])
        #expect(Self.accepted(await source.poll(applied: first, approved: nil)) == second)
    }

    @Test("a force-push stalls as NonFastForward until that revision is approved, and is not refetched meanwhile")
    func forcePush() async throws {
        let git = FakeGitSource()
        let base = git.commit(["fleet.yaml": "valid 1"])
        let applied = git.commit(["fleet.yaml": "valid 2"])
        let rewritten = git.commit(["fleet.yaml": "valid 3"], parent: base, moveHead: false)
        git.forcePush(rewritten)
        let source = try Self.source(git)
        let poll = await source.poll(applied: applied, approved: nil)
        #expect(Self.reason(poll) == "NonFastForward")
        if case .stalled(_, _, let message) = poll { #expect(message.contains("devopsdefender approve") && message.contains(rewritten.hex)) }
        let fetches = git.fetches
        #expect(Self.reason(await source.poll(applied: applied, approved: nil)) == "NonFastForward")
        #expect(git.fetches == fetches, "a refused head is judged once")
        #expect(Self.accepted(await source.poll(applied: applied, approved: rewritten)) == rewritten)
    }

    @Test("a missing file, an invalid spec and an unreachable remote keep the applied revision, each with its reason")
    func unusableHeads() async throws {
        let git = FakeGitSource()
        let applied = git.commit(["fleet.yaml": "valid 1"])
        let source = try Self.source(git)
        git.commit(["other.yaml": "valid"])
        #expect(Self.reason(await source.poll(applied: applied, approved: nil)) == "FileMissing")
        git.commit(["fleet.yaml": "nonsense"])
        let invalid = await source.poll(applied: applied, approved: nil)
        #expect(Self.reason(invalid) == "InvalidSpec")
        if case .unready(_, _, _, let diagnostics) = invalid { #expect(diagnostics == ["fleet.yaml:1:1: error: 'nonsense' is not a fleet"]) }
        git.fail(with: GitSourceError(.unreachable, "cannot connect to example.com"))
        let unreachable = await source.poll(applied: applied, approved: nil)
        #expect(Self.reason(unreachable) == "FetchFailed")
        git.fail(with: nil)
        let fixed = git.commit(["fleet.yaml": "valid 4"])
        #expect(Self.accepted(await source.poll(applied: applied, approved: nil)) == fixed)
    }

    @Test("restoring the applied revision after the local copy was lost fetches it again")
    func restoreAfterLostCopy() async throws {
        let git = FakeGitSource()
        let applied = git.commit(["fleet.yaml": "valid 1"])
        git.loseLocalCopy()
        let source = try Self.source(git)
        #expect(Self.accepted(await source.load(applied)) == applied)
        #expect(git.fetches == 1)
    }

    @Test("a push on top of an approved head needs no second approval; an approval of another line does not let a force-push through")
    func approvalCoversDescendants() async throws {
        let git = FakeGitSource()
        let base = git.commit(["fleet.yaml": "valid 1"])
        let applied = git.commit(["fleet.yaml": "valid 2"])
        let rewritten = git.commit(["fleet.yaml": "valid 3"], parent: base, moveHead: false)
        let onTop = git.commit(["fleet.yaml": "valid 4"], parent: rewritten, moveHead: false)
        git.forcePush(onTop)
        let source = try Self.source(git)
        #expect(Self.accepted(await source.poll(applied: applied, approved: rewritten)) == onTop)
        let elsewhere = git.commit(["fleet.yaml": "valid 5"], parent: base, moveHead: false)
        git.forcePush(elsewhere)
        #expect(Self.reason(await source.poll(applied: onTop, approved: rewritten)) == "NonFastForward")
    }

    @Test("with signers configured, every new commit must be signed: the first unsigned one is named")
    func signatures() async throws {
        let git = FakeGitSource()
        let applied = git.commit(["fleet.yaml": "valid 1"])
        let unsigned = git.commit(["fleet.yaml": "valid 2"], signed: false)
        git.commit(["fleet.yaml": "valid 3"])
        let source = try Self.source(git, verify: true)
        let poll = await source.poll(applied: applied, approved: nil)
        #expect(Self.reason(poll) == "Unverified")
        if case .stalled(_, _, let message) = poll { #expect(message.contains(unsigned.hex)) }
        let signedOnly = FakeGitSource()
        let start = signedOnly.commit(["fleet.yaml": "valid 1"], signed: false)
        let next = signedOnly.commit(["fleet.yaml": "valid 2"])
        let firstStart = try Self.source(signedOnly, verify: true)
        #expect(Self.accepted(await firstStart.poll(applied: nil, approved: nil)) == next, "the first start checks the head only")
        #expect(start != next)
    }
}
