import CoreMetrics
import Daemon
import Synchronization

/// Counts the daemon's finished passes through its own metric: `EnvironmentLoop` records
/// `devopsdefender_reconcile_duration_seconds` once per pass, after the pass's result is in its
/// status. A benchmark waits here for the next pass instead of sleeping. The loop's other
/// metrics go nowhere, except `devopsdefender_commit_to_converged_seconds`, which is kept.
final class PassCounter: MetricsFactory, Sendable {
    /// One finished pass.
    struct Pass: Sendable {
        /// 1 for the loop's first pass.
        var number: Int
        /// `converged`, `applied`, `failed`, …
        var result: String
        /// When the loop reported it.
        var at: ContinuousClock.Instant
        /// How long the pass took, as the loop measured it.
        var duration: Duration
    }

    private struct State {
        var passes: [Pass] = []
        var commitToConverged: [Duration] = []
        var waiters: [(after: Int, continuation: CheckedContinuation<Pass, Never>)] = []
    }

    private let state = Mutex(State())

    /// Passes finished so far.
    var count: Int { self.state.withLock { $0.passes.count } }

    /// Every `devopsdefender_commit_to_converged_seconds` the loop recorded.
    var commitToConverged: [Duration] { self.state.withLock { $0.commitToConverged } }

    /// The first pass numbered above `count`, once it has finished.
    func pass(after count: Int) async -> Pass {
        await withCheckedContinuation { continuation in
            let ready: Pass? = self.state.withLock { state in
                if state.passes.count > count { return state.passes[count] }
                state.waiters.append((count, continuation))
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    fileprivate func finished(result: String, nanoseconds: Int64) {
        let now = ContinuousClock.now
        let resumed: [(CheckedContinuation<Pass, Never>, Pass)] = self.state.withLock { state in
            state.passes.append(Pass(number: state.passes.count + 1, result: result, at: now, duration: .nanoseconds(nanoseconds)))
            let passes = state.passes
            let ready = state.waiters.filter { passes.count > $0.after }.map { ($0.continuation, passes[$0.after]) }
            state.waiters.removeAll { passes.count > $0.after }
            return ready
        }
        for (continuation, pass) in resumed { continuation.resume(returning: pass) }
    }

    fileprivate func converged(nanoseconds: Int64) {
        self.state.withLock { $0.commitToConverged.append(.nanoseconds(nanoseconds)) }
    }

    // MARK: MetricsFactory

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        switch label {
        case DaemonMetrics.reconcileDuration:
            let result = dimensions.first { $0.0 == "result" }?.1 ?? "?"
            return PassTimer { self.finished(result: result, nanoseconds: $0) }
        case DaemonMetrics.commitToConverged:
            return PassTimer { self.converged(nanoseconds: $0) }
        default:
            return NOOPMetricsHandler.instance
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { NOOPMetricsHandler.instance }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// A timer that hands each recording to a closure.
private final class PassTimer: TimerHandler, Sendable {
    let record: @Sendable (Int64) -> Void

    init(_ record: @escaping @Sendable (Int64) -> Void) { self.record = record }

    func recordNanoseconds(_ duration: Int64) { self.record(duration) }
    func preferDisplayUnit(_ unit: TimeUnit) {}
}
