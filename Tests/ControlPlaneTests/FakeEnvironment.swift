import Daemon
import Reconciler
import Synchronization

/// An ``EnvironmentControl`` that records what the routes ask of it and answers with a canned
/// status and plan. With a `statusGate`, `status()` reports that it was entered on
/// `statusEntered` and then waits for the gate: a loop stuck in a pass.
final class FakeEnvironment: EnvironmentControl {
    /// What the routes asked.
    struct Calls: Sendable, Hashable {
        var wakes: [WakeReason] = []
        var approvals: [Revision] = []
        var suspends = 0
        var resumes = 0
        var statusReads = 0
    }

    let environment: String
    private let cannedStatus: EnvironmentStatus
    private let plan: RenderedPlan?
    private let statusGate: Latch?
    private let entered: AsyncStream<Void>.Continuation
    /// Yields once each time `status()` is entered.
    let statusEntered: AsyncStream<Void>
    private let calls = Mutex(Calls())

    init(_ environment: String, status: EnvironmentStatus? = nil, plan: RenderedPlan? = nil, statusGate: Latch? = nil) {
        self.environment = environment
        self.cannedStatus = status ?? EnvironmentStatus(name: environment, now: 0)
        self.plan = plan
        self.statusGate = statusGate
        (self.statusEntered, self.entered) = AsyncStream.makeStream(of: Void.self)
    }

    /// What the routes asked so far.
    var recorded: Calls { self.calls.withLock { $0 } }

    func status() async -> EnvironmentStatus {
        self.calls.withLock { $0.statusReads += 1 }
        self.entered.yield()
        if let gate = self.statusGate { await gate.wait() }
        return self.cannedStatus
    }

    func lastPlan() async -> RenderedPlan? { self.plan }

    func approve(_ revision: Revision) async { self.calls.withLock { $0.approvals.append(revision) } }

    func wake(_ reason: WakeReason) { self.calls.withLock { $0.wakes.append(reason) } }

    func suspend() { self.calls.withLock { $0.suspends += 1 } }

    func resume() { self.calls.withLock { $0.resumes += 1 } }
}
