import Daemon
import Reconciler
import Synchronization
import TestSupport
import Testing

/// The loop on a manual clock: what wakes it, folding, the resync timer, backoff, the status it
/// keeps, and the revision policy's effect on what it reconciles towards.
@Suite struct EnvironmentLoopTests {
    /// A loop over `git` and `pass`, running until the body returns.
    static func withLoop(
        _ git: FakeGitSource,
        _ pass: FakePass,
        revisions: any RevisionStore = MemoryRevisionStore(),
        random: Double = 0.5,
        _ body: (EnvironmentLoop<ManualClock>, ManualClock) async throws -> Void
    ) async throws {
        let clock = ManualClock()
        let source = GitDesiredState(
            git: git,
            description: DaemonFixture.description,
            verifier: nil,
            loader: DaemonFixture.loader(try DaemonFixture.desired())
        )
        let loop = EnvironmentLoop(
            environment: "production",
            source: source,
            pass: pass,
            revisions: revisions,
            clock: clock,
            random: { random },
            now: { 1_700_000_000 + Int64(clock.now.offset.components.seconds) }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            try await body(loop, clock)
            loop.stop()
            try await group.waitForAll()
        }
    }

    /// Yields until `condition` holds (no clock, no sleep: the loop runs on other tasks).
    static func until(_ what: Comment, _ condition: () async -> Bool) async {
        for _ in 0..<100_000 {
            if await condition() { return }
            await Task.yield()
        }
        Issue.record("never: \(what)")
    }

    @Test("the loop passes at start, then on the resync timer, and not before")
    func resync() async throws {
        let git = FakeGitSource()
        git.commit(["fleet.yaml": "valid 1"])
        let pass = FakePass()
        try await Self.withLoop(git, pass) { loop, clock in
            await Self.until("the first pass and a timer") { pass.targets.count == 1 && clock.sleeping == 1 }
            clock.advance(by: .seconds(59))
            await Task.yield()
            #expect(pass.targets.count == 1)
            clock.advance(by: .seconds(1))
            // The pass starts (its target recorded) before the loop records it as finished.
            await Self.until("the timed pass, finished") { await loop.status().lastPass?.trigger == .timer }
            #expect(pass.targets.count == 2)
            let status = await loop.status()
            #expect(status.conditions.isTrue(.ready) && status.conditions.isTrue(.sourceReady))
            #expect(status.lastPass?.trigger == .timer && status.lastPass?.result == "converged")
        }
    }

    @Test("a webhook flood during a pass folds into one more pass")
    func flood() async throws {
        let git = FakeGitSource()
        git.commit(["fleet.yaml": "valid 1"])
        let pass = FakePass(gated: true)
        try await Self.withLoop(git, pass) { loop, clock in
            await Self.until("the first pass started") { pass.targets.count == 1 }
            for _ in 0..<500 { loop.wake(.webhook) }
            await Self.until("the status shows a running pass") { await loop.status().conditions.isTrue(.reconciling) }
            pass.release()
            await Self.until("the folded pass started") { pass.targets.count == 2 }
            pass.release()
            await Self.until("the timer is armed") { clock.sleeping == 1 }
            #expect(pass.targets.count == 2)
            #expect(await loop.status().lastPass?.trigger == .webhook)
        }
    }

    @Test("an invalid fleet file pushed keeps the last good revision: SourceReady False with diagnostics, and passes go on towards the old one")
    func invalidPush() async throws {
        let git = FakeGitSource()
        let good = git.commit(["fleet.yaml": "valid 1"])
        let pass = FakePass()
        try await Self.withLoop(git, pass) { loop, clock in
            await Self.until("the first pass") { pass.targets.count == 1 && clock.sleeping == 1 }
            let bad = git.commit(["fleet.yaml": "broken"])
            loop.wake(.webhook)
            await Self.until("the second pass") { pass.targets.count == 2 }
            await Self.until("the pass recorded") { await loop.status().lastPass?.trigger == .webhook }
            let status = await loop.status()
            #expect(pass.targets.map(\.specDigest) == ["valid 1", "valid 1"])
            #expect(status.appliedRevision == good && status.observedRevision == bad)
            #expect(status.conditions[.sourceReady].status == .false && status.conditions[.sourceReady].reason == "InvalidSpec")
            #expect(status.diagnostics == ["fleet.yaml:1:1: error: 'broken' is not a fleet"])
            #expect(status.conditions.isTrue(.ready), "drift is still healed against the applied revision")
        }
    }

    @Test("a force-push stalls the environment on its applied revision until approved")
    func forcePushAndApprove() async throws {
        let git = FakeGitSource()
        let base = git.commit(["fleet.yaml": "valid 1"])
        let pass = FakePass()
        try await Self.withLoop(git, pass) { loop, clock in
            await Self.until("the first pass") { pass.targets.count == 1 && clock.sleeping == 1 }
            let applied = git.commit(["fleet.yaml": "valid 2"])
            loop.wake(.webhook)
            await Self.until("the fast-forward applied") { await loop.status().appliedRevision == applied }
            let rewritten = git.commit(["fleet.yaml": "valid 3"], parent: base, moveHead: false)
            git.forcePush(rewritten)
            loop.wake(.webhook)
            await Self.until("stalled") { await loop.status().conditions.isTrue(.stalled) }
            var status = await loop.status()
            #expect(status.conditions[.stalled].reason == "NonFastForward" && status.appliedRevision == applied)
            await Self.until("the stalled pass done") { await !loop.status().conditions.isTrue(.reconciling) }
            #expect(pass.targets.last?.specDigest == "valid 2")
            await loop.approve(rewritten)
            await Self.until("the approved revision applied") { await loop.status().appliedRevision == rewritten }
            await Self.until("the pass done") { await loop.status().conditions[.stalled].status == .false }
            // The revision is applied before its pass runs: wait for the pass's record.
            await Self.until("a pass at the approved revision") { await loop.status().lastPass?.revision == rewritten.hex }
            status = await loop.status()
            #expect(pass.targets.last?.specDigest == "valid 3")
        }
    }

    @Test("a failing pass backs off (full jitter, doubling) instead of waiting for the resync")
    func backoff() async throws {
        let git = FakeGitSource()
        git.commit(["fleet.yaml": "valid 1"])
        let pass = FakePass()
        pass.answer(PassReport(outcome: nil, plan: nil, error: "journal error (io): disk full"))
        try await Self.withLoop(git, pass, random: 1) { loop, clock in
            await Self.until("the first pass and a backoff") { pass.targets.count == 1 && clock.sleeping == 1 }
            clock.advance(by: .seconds(1))
            await Self.until("the retry") { pass.targets.count == 2 && clock.sleeping == 1 }
            clock.advance(by: .seconds(1))
            await Task.yield()
            #expect(pass.targets.count == 2, "the second backoff is 2 s")
            clock.advance(by: .seconds(1))
            await Self.until("the third pass") { pass.targets.count == 3 }
            let status = await loop.status()
            #expect(status.conditions[.ready].reason == "PassFailed" && status.lastPass?.result == "error")
        }
    }

    @Test("after a restart the applied revision comes from the store, and a force-push made meanwhile is still caught")
    func restart() async throws {
        let git = FakeGitSource()
        let base = git.commit(["fleet.yaml": "valid 1"])
        let applied = git.commit(["fleet.yaml": "valid 2"])
        let store = MemoryRevisionStore()
        try await store.recordApplied(applied, environment: "production", now: 0)
        git.forcePush(git.commit(["fleet.yaml": "valid 3"], parent: base, moveHead: false))
        let pass = FakePass()
        try await Self.withLoop(git, pass, revisions: store) { loop, clock in
            await Self.until("the first pass") { pass.targets.count == 1 && clock.sleeping == 1 }
            let status = await loop.status()
            #expect(status.conditions[.stalled].reason == "NonFastForward")
            #expect(pass.targets.map(\.specDigest) == ["valid 2"])
            let stored = try await store.appliedRevision(environment: "production")
            #expect(stored == applied)
        }
    }
}
