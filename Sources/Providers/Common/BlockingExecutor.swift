import Foundation
import NIOPosix

/// Threads of its own for work that blocks its thread — a quote source waiting on EasyEnclave's
/// socket or configfs-tsm, SQLite — so that it never holds one of Swift's cooperative threads
/// (one per core): while such work blocks, the server still answers `/health`, registrations
/// and their deadlines. A `TaskExecutor`: ``run(_:)`` runs an async body, and every
/// nonisolated async function it calls, on these threads. Size it to the work admitted at once
/// (the quoting gates' limits), so admitted work never waits for a thread.
public final class BlockingExecutor: TaskExecutor, Sendable {
    private let pool: NIOThreadPool

    /// Starts `threads` threads (at least 1); they end when the executor is released.
    public init(threads: Int) {
        self.pool = NIOThreadPool(numberOfThreads: max(1, threads))
        self.pool.start()
    }

    deinit {
        self.pool.shutdownGracefully { _ in }
    }

    /// Runs `body` with this executor preferred: its synchronous stretches run on this
    /// executor's threads, not the cooperative pool.
    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(self) { try await body() }
    }

    /// Runs a job on a pool thread; should the pool have stopped, on a thread of its own, so no
    /// job is ever dropped.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = self.asUnownedTaskExecutor()
        self.pool.submit { state in
            guard case .cancelled = state else { return job.runSynchronously(on: executor) }
            Thread.detachNewThread { job.runSynchronously(on: executor) }
        }
    }
}
