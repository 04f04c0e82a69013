import Synchronization

/// Who won on one registration connection: the agent getting its answer, or the handshake
/// deadline. Exactly one transition out of `handshaking` happens, so a deadline that fires just as
/// the agent is answered either cuts the connection before the answer or not at all.
final class HandshakeProgress: Sendable {
    private enum Stage { case handshaking, answered, expired }
    private let stage = Mutex(Stage.handshaking)

    /// Marks the agent answered; false when the deadline already passed.
    func answer() -> Bool {
        self.stage.withLock { stage in
            if stage == .handshaking { stage = .answered }
            return stage == .answered
        }
    }

    /// Marks the deadline passed; false when the agent was answered first.
    func expire() -> Bool {
        self.stage.withLock { stage in
            if stage == .handshaking { stage = .expired }
            return stage == .expired
        }
    }
}
