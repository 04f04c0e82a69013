import Synchronization

/// A clock that moves only when a test says so: `sleep` suspends until ``advance(by:)`` moves
/// the clock past its deadline (or its task is cancelled), so a test fires timeouts exactly when
/// it means to, without real waiting.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock.
    public typealias Instant = TestInstant

    private struct Sleeper {
        var id: UInt64
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())

    /// A clock at zero.
    public init() {}

    /// The current instant.
    public var now: Instant { Instant(offset: self.state.withLock { $0.now }) }
    /// One nanosecond.
    public var minimumResolution: Duration { .nanoseconds(1) }
    /// How many sleeps are waiting.
    public var sleeping: Int { self.state.withLock { $0.sleepers.count } }

    /// Suspends until the clock reaches `deadline`; throws `CancellationError` when cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case due, cancelled, waiting }
                let outcome = self.state.withLock { state -> Outcome in
                    if deadline.offset <= state.now { return .due }
                    if Task.isCancelled { return .cancelled }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline.offset, continuation: continuation))
                    return .waiting
                }
                switch outcome {
                case .due: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .waiting: break
                }
            }
        } onCancel: {
            let sleeper = self.state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration`, waking every sleep whose deadline has come.
    public func advance(by duration: Duration) {
        let due = self.state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
