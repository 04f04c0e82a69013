import Synchronization

/// A clock whose `sleep` returns at once (recording the requested waits and running a hook, e.g.
/// to advance an emulator's clock), so retry and rate-limit waits cost no real time.
final class TestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: self.offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - self.offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))
    private let onSleep: @Sendable (Duration) -> Void

    init(onSleep: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.onSleep = onSleep
    }

    var now: Instant { Instant(offset: self.state.withLock { $0.now }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    var sleeps: [Duration] { self.state.withLock { $0.sleeps } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let wait = self.state.withLock { state -> Duration in
            let wait = deadline.offset - state.now
            state.sleeps.append(wait)
            state.now = max(state.now, deadline.offset)
            return wait
        }
        self.onSleep(wait)
    }
}
