import Attestation
import AttestationSimulation
import Synchronization

/// Simulated quotes, of which the ones numbered in `held` (1 is the first asked for) are made
/// only once `latch` opens: a slow quoting service, for chosen callers.
final class LatchedQuotes: QuoteSource {
    let inner: SimulatedQuoteSource
    let latch: Latch
    let held: Set<Int>
    private let count = Mutex(0)

    init(inner: SimulatedQuoteSource, latch: Latch, held: Set<Int> = [1]) {
        self.inner = inner
        self.latch = latch
        self.held = held
    }

    func quote(reportData: [UInt8]) async throws -> [UInt8] {
        let number = self.count.withLock { count in
            count += 1
            return count
        }
        if self.held.contains(number) { await self.latch.wait() }
        return try await self.inner.quote(reportData: reportData)
    }
}
