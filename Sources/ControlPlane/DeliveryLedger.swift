import SourceVerification
import Synchronization

/// The webhook deliveries seen in the last hour (at most 10,000 ids), shared by every request.
/// The signature covers only the body, so a captured delivery resent under a fresh id passes;
/// it can only wake the loop, which folds wakes into one pass and reads the revision from git,
/// never from the payload.
final class DeliveryLedger: Sendable {
    private let replayGuard = Mutex(DeliveryReplayGuard<ContinuousClock.Instant>(window: .seconds(3600), capacity: 10_000))

    /// True the first time `id` is seen.
    func admit(_ id: String) -> Bool {
        self.replayGuard.withLock { $0.admit(id, at: ContinuousClock.now) == .new }
    }

    /// GitHub's delivery ids are GUIDs: a bounded id of letters, digits and dashes is accepted.
    static func isWellFormed(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64 && id.utf8.allSatisfy { Self.isIDByte($0) }
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
