import Attestation
import Testing

/// Every single-bit change in the signed regions of the real samples is rejected: the header and
/// body (quote signature), the attestation key and QE auth data (bound by the QE report), the QE
/// report (PCK signature), and both signatures themselves.
@Suite("Single-bit changes to real quotes")
struct BitFlipTests {
    @Test("every bit flip in a signed region is rejected", arguments: [TestData.v4QuoteName, TestData.v5QuoteName])
    func everyBit(file: String) async throws {
        guard let bytes = TestData.tdx(file) else { return }
        let quote = try TDXQuote(bytes)
        let signatureStart = quote.signatureDataRange.lowerBound
        let qeReportStart = signatureStart + 134
        let authStart = qeReportStart + 384 + 64 + 2
        let regions = [
            0..<quote.signedRange.upperBound,
            signatureStart..<signatureStart + 128,
            qeReportStart..<qeReportStart + 384 + 64,
            authStart..<authStart + quote.signatureData.qeAuthData.count,
        ]
        // The cache makes flips outside the certification data cheap; flips inside it change the
        // cache key, so they get the full verification.
        let verifier = QuoteVerifier(configuration: .init(cache: VerificationCache()))
        var checked = 0
        var accepted: [String] = []
        for region in regions {
            for offset in region {
                for bit in 0..<8 {
                    var mutated = bytes
                    mutated[offset] ^= 1 << bit
                    checked += 1
                    guard let parsed = try? TDXQuote(mutated) else { continue }
                    if await verifier.verify(parsed, at: TestData.sampleTime).isAccepted {
                        accepted.append("byte \(offset) bit \(bit)")
                    }
                }
            }
        }
        #expect(checked == regions.map(\.count).reduce(0, +) * 8)
        #expect(accepted.isEmpty, "accepted after a bit flip: \(accepted.prefix(10))")
        let original = await verifier.verify(quote, at: TestData.sampleTime).isAccepted
        #expect(original)
    }
}
