import SourceVerification
import Synchronization

/// The webhook deliveries seen in the last hour (at most 10,000), shared by every request.
final class DeliveryLedger: Sendable {
    private let replayGuard = Mutex(DeliveryReplayGuard<ContinuousClock.Instant>(window: .seconds(3600), capacity: 10_000))

    /// True the first time `id` is seen.
    func admit(_ id: String) -> Bool {
        self.replayGuard.withLock { $0.admit(id, at: ContinuousClock.now) == .new }
    }
}
