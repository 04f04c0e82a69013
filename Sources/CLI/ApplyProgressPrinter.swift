import Reconciler
import Synchronization

/// Counts checkpoints across tasks.
final class CheckpointCounter: Sendable {
    private let count = Mutex(0)

    /// Adds one; returns the new count.
    func increment() -> Int {
        self.count.withLock {
            $0 += 1
            return $0
        }
    }
}

/// Prints apply progress: on a terminal, finished actions scroll above one live status line;
/// otherwise one plain line per event.
final class ApplyProgressPrinter: Sendable {
    private struct State {
        var done = 0
        var running: [String] = []
    }

    private let total: Int
    private let live: Bool
    private let state = Mutex(State())

    init(total: Int, live: Bool) {
        self.total = total
        self.live = live
    }

    func handle(_ event: ApplyEvent) {
        self.state.withLock { state in
            var line: String?
            switch event {
            case .started(let action):
                state.running.append(action.id)
                if !self.live { line = "\(self.counter(state)) start   \(action.id)" }
            case .finished(let action, let outcome, let elapsed):
                state.running.removeAll { $0 == action.id }
                state.done += 1
                let note = outcome == .adopted ? " (already in place)" : ""
                line = "\(self.counter(state)) done    \(action.id)\(note) [\(Self.format(elapsed))]"
            case .failed(let action, let message):
                state.running.removeAll { $0 == action.id }
                state.done += 1
                line = "\(self.counter(state)) FAILED  \(action.id): \(message)"
            case .retrying(let action, let message, let after):
                line = "\(self.counter(state)) retry   \(action.id) in \(Self.format(after)): \(message)"
            case .skipped(let action, let because):
                state.done += 1
                line = "\(self.counter(state)) skipped \(action.id) (\(because) failed)"
            }
            var out = self.live ? "\r\u{1B}[K" : ""
            if let line { out += line + "\n" }
            if self.live && !state.running.isEmpty {
                out +=
                    "\(self.counter(state)) running \(state.running.count): \(state.running.prefix(3).joined(separator: ", "))\(state.running.count > 3 ? ", …" : "")"
            }
            Terminal.standardOutput.write(out)
        }
    }

    func finish() {
        if self.live { Terminal.standardOutput.write("\r\u{1B}[K") }
    }

    private func counter(_ state: State) -> String {
        let width = String(self.total).count
        let done = String(state.done)
        return "[\(String(repeating: " ", count: max(width - done.count, 0)))\(done)/\(self.total)]"
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }
}
