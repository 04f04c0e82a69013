import Synchronization

/// A clock whose `sleep` returns at once (recording the requested waits and running a hook, e.g.
/// to advance an emulator's clock), so retry and rate-limit waits cost no real time.
public final class TestClock: Clock, Sendable {
    /// A point on the test clock.
    public typealias Instant = TestInstant

    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.zero, []))
    private let onSleep: @Sendable (Duration) -> Void

    /// A clock starting at zero; `onSleep` runs after each sleep with the requested wait.
    public init(onSleep: @escaping @Sendable (Duration) -> Void = { _ in }) {
        self.onSleep = onSleep
    }

    /// The current instant.
    public var now: Instant { Instant(offset: self.state.withLock { $0.now }) }
    /// One nanosecond.
    public var minimumResolution: Duration { .nanoseconds(1) }
    /// Every wait requested so far.
    public var sleeps: [Duration] { self.state.withLock { $0.sleeps } }

    /// Returns at once, moving the clock to `deadline`.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let wait = self.state.withLock { state -> Duration in
            let wait = deadline.offset - state.now
            state.sleeps.append(wait)
            state.now = max(state.now, deadline.offset)
            return wait
        }
        self.onSleep(wait)
    }
}
