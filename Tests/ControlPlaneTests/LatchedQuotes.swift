import Attestation

/// Simulated quotes that are made only once `latch` opens (a slow quoting service).
struct LatchedQuotes: QuoteSource {
    var inner: SimulatedQuoteSource
    var latch: Latch
    func quote(reportData: [UInt8]) async throws -> [UInt8] {
        await self.latch.wait()
        return try await self.inner.quote(reportData: reportData)
    }
}
