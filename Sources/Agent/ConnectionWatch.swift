import NIOCore
import Synchronization

/// What one registration connection shares with its deadline timers and with the task's
/// cancellation handler: the channel, and why it was closed. Closing the channel is what ends
/// every wait on it — a connect, an upgrade future, an inbound frame — whether or not the wait
/// itself honours task cancellation, so a deadline or a SIGTERM always ends the attempt.
final class ConnectionWatch: Sendable {
    /// Why the connection was closed from our side.
    enum Reason: Sendable, Hashable {
        /// A phase's deadline passed.
        case deadline(RegistrationPhase, Duration)
        /// The task was cancelled (graceful shutdown).
        case cancelled
    }

    private struct State {
        var channel: (any Channel)?
        var reason: Reason?
        var responseStatus: Int?
    }

    private let state = Mutex(State())

    /// Why the connection was closed, if it was closed from our side.
    var reason: Reason? { self.state.withLock { $0.reason } }

    /// The status of the upgrade response, once its head arrived.
    var responseStatus: Int? {
        get { self.state.withLock { $0.responseStatus } }
        set { self.state.withLock { $0.responseStatus = newValue } }
    }

    /// Adopts the channel being connected; closes it at once if the watch already fired.
    func attach(_ channel: any Channel) {
        let closeNow = self.state.withLock { state -> Bool in
            state.channel = channel
            return state.reason != nil
        }
        if closeNow { channel.close(promise: nil) }
    }

    /// Closes the connection for `reason` (the first reason sticks).
    func close(_ reason: Reason) {
        let channel = self.state.withLock { state -> (any Channel)? in
            if state.reason == nil { state.reason = reason }
            return state.channel
        }
        channel?.close(promise: nil)
    }

    /// Closes the connection, if one is open, without a reason (the attempt is over).
    func closeChannel() {
        self.state.withLock { $0.channel }?.close(promise: nil)
    }

    /// Runs `operation`; when it takes longer than `limit` on `clock`, closes the connection —
    /// which ends whatever the operation waits for — and throws a ``RegistrationSocketError``
    /// with code ``RegistrationSocketError/Code/deadline`` naming `phase`.
    func within<C: Clock, T>(
        _ limit: Duration,
        _ phase: RegistrationPhase,
        on clock: C,
        _ operation: () async throws -> T
    ) async throws -> T where C.Duration == Duration {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await clock.sleep(for: limit)
                self.close(.deadline(phase, limit))
            }
            defer { group.cancelAll() }
            let value: T
            do {
                value = try await operation()
            } catch {
                throw self.explained(error)
            }
            if let reason = self.reason { throw self.explained(Self.Closed(reason: reason)) }
            return value
        }
    }

    /// `error` as the reason the connection was closed explains it: a deadline as
    /// ``RegistrationSocketError``, a cancellation as `CancellationError`, else `error` itself.
    func explained(_ error: any Error) -> any Error {
        switch self.reason {
        case .deadline(let phase, let limit):
            return RegistrationSocketError(.deadline, phase: phase, "the deadline of \(limit) passed while \(phase)")
        case .cancelled:
            return CancellationError()
        case nil:
            return error
        }
    }

    private struct Closed: Error {
        var reason: Reason
    }
}
