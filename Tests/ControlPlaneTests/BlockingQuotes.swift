import Attestation
import AttestationSimulation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Simulated quotes that first block the calling thread for `delay`, as EasyEnclave's socket
/// and configfs-tsm do while the host's quoting service works: a slow quote source that holds
/// whichever thread runs it.
struct BlockingQuotes: QuoteSource {
    var inner: SimulatedQuoteSource
    var delay: TimeInterval = 1

    func quote(reportData: [UInt8]) async throws -> [UInt8] {
        usleep(UInt32(self.delay * 1_000_000))
        return try await self.inner.quote(reportData: reportData)
    }
}
