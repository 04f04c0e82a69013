import Foundation
import Noise
import TestSupport
import Testing

/// The published vectors in `../shared/testdata/noise/` (read in place via `DD_TESTDATA`).
@Suite("Noise test vectors")
struct NoiseVectorTests {
    static func vectors(_ file: String) -> [NoiseTestVector]? {
        guard let data = TestEnvironment.testdata("noise/\(file)") else { return nil }
        return (try? JSONDecoder().decode(NoiseTestVector.File.self, from: data))?.vectors
    }

    @Test("every NN and XX vector replays byte for byte", arguments: ["cacophony_25519_ChaChaPoly_SHA256.json", "snow_25519_ChaChaPoly_SHA256.json"])
    func replay(file: String) throws {
        guard let vectors = Self.vectors(file) else { return }
        let relevant = vectors.filter { ["Noise_NN_25519_ChaChaPoly_SHA256", "Noise_XX_25519_ChaChaPoly_SHA256"].contains($0.protocolName) }
        #expect(relevant.count == 2)
        for vector in relevant {
            #expect(vector.replay() == .passed, "\(vector.protocolName)")
        }
        let xx = try #require(relevant.first { $0.protocolName.contains("_XX_") })
        if file.hasPrefix("cacophony") {
            #expect(xx.handshakeHash == "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e")
        }
    }
}
