import Daemon
import Reconciler
import Synchronization

/// A reconcile pass the test scripts: it reports each start on ``started``, waits for a permit
/// when gated, and answers with the report the test set.
final class FakePass: ReconcilePass {
    private struct State {
        var report: PassReport
        var permits: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var targets: [ReconcileTarget] = []
    }

    private let state: Mutex<State>
    let started: AsyncStream<ReconcileTarget>
    private let startedContinuation: AsyncStream<ReconcileTarget>.Continuation

    /// A pass that converges; `gated` passes wait for ``release(_:)``.
    init(gated: Bool = false) {
        let converged = PassReport(outcome: .converged(Plan(fleet: "acme", environments: ["production"], actions: [])), plan: nil)
        self.state = Mutex(State(report: converged, permits: gated ? 0 : .max))
        (self.started, self.startedContinuation) = AsyncStream.makeStream()
    }

    /// What the next passes answer.
    func answer(_ report: PassReport) { self.state.withLock { $0.report = report } }

    /// Lets `count` gated passes finish.
    func release(_ count: Int = 1) {
        let resumed = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.permits += count
            let ready = Array(state.waiting.prefix(state.permits))
            state.waiting.removeFirst(ready.count)
            state.permits -= ready.count
            return ready
        }
        for continuation in resumed { continuation.resume() }
    }

    /// Every target a pass ran towards.
    var targets: [ReconcileTarget] { self.state.withLock { $0.targets } }

    func reconcile(_ desired: DesiredRevision) async -> PassReport {
        let target = desired.target
        self.state.withLock { $0.targets.append(target) }
        self.startedContinuation.yield(target)
        await withCheckedContinuation { continuation in
            let go = self.state.withLock { state -> Bool in
                guard state.permits > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                if state.permits != .max { state.permits -= 1 }
                return true
            }
            if go { continuation.resume() }
        }
        return self.state.withLock { $0.report }
    }
}
