/// Remembers recent `X-GitHub-Delivery` ids so that a captured delivery replayed within the
/// window is refused. A value type with no clock: every call passes the time.
///
/// Memory is bounded: an id admitted `window` or more ago is forgotten, and past `capacity` ids the oldest
/// is forgotten first (so a flood shortens the effective window rather than growing memory).
/// Admit an id only after its signature was found valid, so unsigned requests cannot fill it.
/// Times should not decrease; a time earlier than the latest one seen is treated as the latest.
public struct DeliveryReplayGuard<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Whether a delivery id was seen within the window.
    public enum Admission: Hashable, Sendable {
        /// First sighting: process the delivery.
        case new
        /// Seen within the window: drop the delivery.
        case replayed
    }

    /// How long an id is remembered.
    public let window: Duration
    /// The most ids remembered at once.
    public let capacity: Int

    private var seen: [String: Instant] = [:]
    /// Ids in the order admitted, from `head` on; entries before `head` were evicted.
    private var order: [(id: String, at: Instant)] = []
    private var head = 0
    private var latest: Instant?

    /// A guard remembering ids for `window`, at most `capacity` (at least 1) of them.
    public init(window: Duration, capacity: Int) {
        precondition(window > .zero && capacity > 0, "a replay guard needs a positive window and capacity")
        self.window = window
        self.capacity = capacity
    }

    /// The number of ids remembered now.
    public var count: Int { self.seen.count }

    /// Records `id` as delivered at `now` and says whether it was seen within the window.
    /// A replay does not extend how long the id is remembered.
    public mutating func admit(_ id: String, at now: Instant) -> Admission {
        let now = self.latest.map { max($0, now) } ?? now
        self.latest = now
        self.forget(before: now.advanced(by: .zero - self.window))
        if self.seen[id] != nil { return .replayed }
        self.seen[id] = now
        self.order.append((id, now))
        while self.seen.count > self.capacity { self.evictOldest() }
        return .new
    }

    /// Forgets every id admitted at or before `cutoff`.
    private mutating func forget(before cutoff: Instant) {
        while self.head < self.order.count, self.order[self.head].at <= cutoff { self.evictOldest() }
    }

    private mutating func evictOldest() {
        self.seen[self.order[self.head].id] = nil
        self.head += 1
        if self.head >= 64, self.head * 2 >= self.order.count {
            self.order.removeFirst(self.head)
            self.head = 0
        }
    }
}
