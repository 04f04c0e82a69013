import Attestation
import ProviderSupport

/// The agent's quotes, made on a thread of their own: a quote that blocks its thread
/// (EasyEnclave's socket, configfs-tsm, each for up to its own timeout) never holds one of the
/// cooperative threads the agent's health server and shutdown need, and a caller that is
/// cancelled (SIGTERM) stops waiting at once. The abandoned quote finishes, or times out, on its
/// thread, and its answer is dropped.
public struct AbandonableQuotes: QuoteSource {
    /// Where quotes are made.
    public var inner: any QuoteSource
    /// The threads they run on: one is enough (the agent makes one quote at a time); a quote
    /// abandoned while blocked keeps its thread until it returns.
    public var executor = BlockingExecutor(threads: 2)

    /// Makes `inner`'s quotes on threads of their own.
    public init(_ inner: any QuoteSource) {
        self.inner = inner
    }

    public func quote(reportData: [UInt8]) async throws -> [UInt8] {
        let inner = self.inner
        let work = Task(executorPreference: self.executor) { try await inner.quote(reportData: reportData) }
        let answer = FirstAnswer<[UInt8]>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                answer.wait(continuation)
                Task { answer.give(await work.result) }
            }
        } onCancel: {
            work.cancel()
            answer.give(.failure(CancellationError()))
        }
    }
}
