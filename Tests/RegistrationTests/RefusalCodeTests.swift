import Attestation
import Foundation
import Registration
import Testing

/// Refusal codes: one type on both sides, the wire form a bare string.
@Suite struct RefusalCodeTests {
    @Test("a refusal's codes travel as bare strings and decode back")
    func wireFormat() throws {
        let refusal = RegistrationMessage.Refusal(codes: [.mrtdFromVerifier, .alreadyRegistered], message: "no")
        let text = String(decoding: try RegistrationMessage.encode(refusal), as: UTF8.self)
        #expect(text == #"{"codes":["mrtd","already-registered"],"message":"no"}"#)
        #expect(try RegistrationMessage.decode(RegistrationMessage.Refusal.self, from: Array(text.utf8)) == refusal)
    }

    @Test("an unknown code decodes as itself and is not retryable")
    func unknownCode() throws {
        let decoded = try RegistrationMessage.decode(
            RegistrationMessage.Refusal.self,
            from: Array(#"{"codes":["from-the-future"],"message":"?"}"#.utf8)
        )
        #expect(decoded.codes == [RefusalCode(rawValue: "from-the-future")] && !decoded.codes[0].isRetryable)
    }

    @Test("exactly the refusals that can pass by themselves are retryable")
    func retryable() {
        let retryable: [RefusalCode] = [
            .alreadyRegistered, .collateralUnavailable, .unknownInstance, .instanceNotRunning, .foreignInstance, .generationMismatch,
        ]
        let final: [RefusalCode] = [
            .replayedNonce, .version, .identity, .malformedQuote, .unknownVM, .instanceMismatch, "mrtd", "report-data", "tcb-status", "revoked",
        ]
        #expect(retryable.allSatisfy { $0.isRetryable })
        #expect(!final.contains { $0.isRetryable })
    }
}

extension RefusalCode {
    fileprivate static let mrtdFromVerifier = RefusalCode(.mrtd)
}
