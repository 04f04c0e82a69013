import Synchronization

/// Bounded concurrency for costly work that an unauthenticated caller can start, such as
/// producing a quote for a registration's second message or for `/cp/attest`: at most `limit`
/// run at once, at most `queueLimit` wait in arrival order, and a caller beyond that is refused at
/// once with ``Busy`` instead of queueing without bound. A flood of handshakes then costs the
/// control plane a bounded amount of quoting (on a real TD, a bounded number of configfs-tsm
/// reports and trips to the host's quoting service) while honest agents retry with backoff.
public final class AdmissionGate: Sendable {
    /// The gate is full: `limit` are running and `queueLimit` are waiting. Retry later.
    public struct Busy: Error, CustomStringConvertible {
        /// What was full.
        public var description: String
    }

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var running = 0
        var nextID: UInt64 = 0
        var waiting: [Waiter] = []
    }

    /// How many run at once.
    public let limit: Int
    /// How many may wait for a turn.
    public let queueLimit: Int
    private let state = Mutex(State())

    /// Creates a gate; `limit` is at least 1 and `queueLimit` at least 0.
    public init(limit: Int, queueLimit: Int) {
        self.limit = max(1, limit)
        self.queueLimit = max(0, queueLimit)
    }

    /// How many are running now.
    public var running: Int { self.state.withLock { $0.running } }

    /// How many are waiting now.
    public var waiting: Int { self.state.withLock { $0.waiting.count } }

    /// Runs `body` once a turn is free; throws ``Busy`` at once when the queue is full too.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        try await self.enter()
        defer { self.leave() }
        return try await body()
    }

    /// Takes a turn, waits in line for one, or refuses. A caller cancelled while it waits leaves
    /// the line (`CancellationError`) and never runs.
    private func enter() async throws {
        let id = self.state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Decision { case admitted, queued, refused, cancelled }
                let decision = self.state.withLock { state -> Decision in
                    if state.running < self.limit {
                        state.running += 1
                        return .admitted
                    }
                    if Task.isCancelled { return .cancelled }
                    guard state.waiting.count < self.queueLimit else { return .refused }
                    state.waiting.append(Waiter(id: id, continuation: continuation))
                    return .queued
                }
                switch decision {
                case .admitted: continuation.resume()
                case .queued: break
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .refused:
                    continuation.resume(
                        throwing: Busy(description: "busy: \(self.limit) running and \(self.queueLimit) waiting; retry later")
                    )
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> Waiter? in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Hands this turn to the longest waiter, or frees it.
    private func leave() {
        let next = self.state.withLock { state -> Waiter? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume()
    }
}
