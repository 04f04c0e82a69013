import NIOCore
import Synchronization

/// The connections of one server that have not sent a complete first request head yet, oldest
/// first. Admitting one beyond ``limit`` gives back the oldest to close: a flood of idle or
/// slow connections then churns among itself instead of taking every descriptor.
final class PendingConnections: Sendable {
    private struct State {
        var next: UInt64 = 0
        var pending: [UInt64: any Channel] = [:]
    }

    /// How many may be pending at once.
    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// How many are pending now.
    var count: Int { self.state.withLock { $0.pending.count } }

    /// Records `channel` as pending; returns its ticket and the connection to close to make room
    /// (the oldest pending), if any.
    func admit(_ channel: any Channel) -> (ticket: UInt64, evicted: (any Channel)?) {
        self.state.withLock { state in
            let ticket = state.next
            state.next += 1
            state.pending[ticket] = channel
            guard state.pending.count > self.limit, let oldest = state.pending.keys.min() else { return (ticket, nil) }
            return (ticket, state.pending.removeValue(forKey: oldest))
        }
    }

    /// The connection sent its first request head, or closed.
    func settle(_ ticket: UInt64) {
        _ = self.state.withLock { $0.pending.removeValue(forKey: ticket) }
    }
}
