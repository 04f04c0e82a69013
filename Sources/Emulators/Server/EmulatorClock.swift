import Synchronization

/// The emulators' notion of time: real time plus an offset tests advance through the admin API,
/// so operation durations and list lags elapse without anyone sleeping.
public final class EmulatorClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex<Duration>(.zero)
    /// When true, only ``advance(by:)`` moves time (fully deterministic tests).
    public let frozen: Bool
    /// How many emulated seconds pass per real second (a compressed clock for benchmarks).
    public let speed: Int

    /// Creates a clock; a frozen one moves only when advanced; `speed` compresses real time.
    public init(frozen: Bool = false, speed: Int = 1) {
        self.frozen = frozen
        self.speed = max(speed, 1)
    }

    /// Time since the emulator started.
    public var now: Duration {
        let advanced = self.offset.withLock { $0 }
        return self.frozen ? advanced : self.start.duration(to: .now) * self.speed + advanced
    }

    /// Moves time forward.
    public func advance(by duration: Duration) {
        self.offset.withLock { $0 += duration }
    }
}
