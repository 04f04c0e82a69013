import Attestation
import AttestationSimulation
import Crypto
import Foundation
import Spec

/// Quote verifications per second: the real v4 sample (Intel root, no collateral) and a simulated
/// quote with full collateral, cold (nothing cached) and warm (platform and collateral results
/// cached, so only the quote signature is checked), against dcap-qvl verifying the simulated
/// quote with the same collateral in the same run. Prints one JSON line.
struct AttestationBenchmark {
    var python: String
    var testdata: String
    var seconds: Double = 2

    func run() async throws {
        let samplePath = URL(fileURLWithPath: self.testdata).appendingPathComponent("tdx/go-tdx-guest_tdx_prod_quote_SPR_E4.dat")
        let sample = try TDXQuote([UInt8](try Data(contentsOf: samplePath)))
        let sampleTime = Date(timeIntervalSince1970: 1_795_000_000)

        let epoch = Date(timeIntervalSince1970: 1_767_225_600)
        let now = epoch.addingTimeInterval(10 * 86_400)
        let authority = try SimulatedTDXAuthority(notBefore: epoch)
        let simulatedBytes = try authority.quote(SimulatedQuoteRequest())
        let simulated = try TDXQuote(simulatedBytes)
        let collateral = try authority.collateral(issued: now.addingTimeInterval(-86_400))
        let anchor = try authority.trustAnchor
        let policy = AttestationPolicy(acceptedTCBStatuses: [.upToDate])

        let sampleCold = try await self.rate {
            await QuoteVerifier().verify(sample, at: sampleTime).isAccepted
        }
        let sampleCache = VerificationCache()
        let sampleWarm = try await self.rate {
            await QuoteVerifier(configuration: .init(cache: sampleCache)).verify(sample, at: sampleTime).isAccepted
        }
        // Ours cold with collateral and the peer, interleaved over rounds (medians reported), so a
        // noisy neighbour slowing one stretch of the run does not decide the ratio.
        var fullColdRounds: [Double] = []
        var peerRounds: [Double] = []
        var peerVersion = ""
        for _ in 0..<Self.rounds {
            fullColdRounds.append(
                try await self.rate {
                    await QuoteVerifier(configuration: .init(trustAnchor: anchor)).verify(simulated, collateral: collateral, policy: policy, at: now)
                        .isAccepted
                }
            )
            let peer = try self.dcapQVL(quote: simulatedBytes, collateral: try collateral.json(), rootDER: try authority.rootDER, now: now)
            peerRounds.append(peer.rate)
            peerVersion = peer.version
        }
        let fullCold = Self.median(fullColdRounds)
        // The floor: the nine P-256 signature checks a cold verification with collateral makes
        // (quote, QE report, two PCK chain links, the TCB signing link, TCB Info, QE Identity,
        // two CRLs), and nothing else.
        let floorKey = P256.Signing.PrivateKey()
        let floorMessage = Array(repeating: UInt8(7), count: 1024)
        let floorSignature = try floorKey.signature(for: floorMessage)
        let floor = try await self.rate {
            (0..<9).allSatisfy { _ in floorKey.publicKey.isValidSignature(floorSignature, for: floorMessage) }
        }
        let peer = (rate: Self.median(peerRounds), version: peerVersion)
        let fullCache = VerificationCache()
        let fullWarm = try await self.rate {
            await QuoteVerifier(configuration: .init(trustAnchor: anchor, cache: fullCache))
                .verify(simulated, collateral: collateral, policy: policy, at: now).isAccepted
        }

        let line = StructuredValue.object([
            ("benchmark", .string("attestation.verify")),
            ("ours_real_v4_cold_per_s", .string(SpecBenchmark.format(sampleCold))),
            ("ours_real_v4_warm_per_s", .string(SpecBenchmark.format(sampleWarm))),
            ("ours_with_collateral_cold_per_s", .string(SpecBenchmark.format(fullCold))),
            ("ours_with_collateral_warm_per_s", .string(SpecBenchmark.format(fullWarm))),
            ("peer", .string("dcap-qvl \(peer.version) verify_with_root_ca, simulated quote + collateral")),
            ("rounds", .string("ours with collateral cold and the peer: median of \(Self.rounds) interleaved rounds")),
            ("peer_per_s", .string(SpecBenchmark.format(peer.rate))),
            ("ratio_cold", .string(SpecBenchmark.format(sampleCold / peer.rate, digits: 2))),
            ("ratio_warm", .string(SpecBenchmark.format(sampleWarm / peer.rate, digits: 2))),
            ("ratio_with_collateral_cold", .string(SpecBenchmark.format(fullCold / peer.rate, digits: 2))),
            ("ratio_with_collateral_warm", .string(SpecBenchmark.format(fullWarm / peer.rate, digits: 2))),
            ("floor_nine_p256_checks_per_s", .string(SpecBenchmark.format(floor))),
            ("ours_with_collateral_cold_share_of_floor", .string(SpecBenchmark.format(fullCold / floor, digits: 2))),
            ("goal", .string("real v4 sample: cold >= 1x, warm >= 5x the peer; with collateral cold >= 1x")),
        ])
        print(line.json())
    }

    /// Interleaved rounds of ours-with-collateral-cold and the peer.
    static let rounds = 3

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// Verifications per second over about `seconds`, after a short warm-up.
    private func rate(_ verify: () async -> Bool) async throws -> Double {
        for _ in 0..<20 where !(await verify()) {
            throw BenchmarkError(message: "a benchmark quote did not verify")
        }
        let clock = ContinuousClock()
        var count = 0
        let start = clock.now
        while (clock.now - start).milliseconds < self.seconds * 1000 {
            for _ in 0..<50 { _ = await verify() }
            count += 50
        }
        return Double(count) / ((clock.now - start).milliseconds / 1000)
    }

    private func dcapQVL(quote: [UInt8], collateral: Data, rootDER: [UInt8], now: Date) throws -> (rate: Double, version: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-bench-attest-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(quote).write(to: directory.appendingPathComponent("quote.dat"))
        try collateral.write(to: directory.appendingPathComponent("collateral.json"))
        try Data(rootDER).write(to: directory.appendingPathComponent("root.der"))
        let script = """
            import json, sys, time, dcap_qvl
            from importlib.metadata import version
            d, now, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
            quote = open(d + "/quote.dat", "rb").read()
            root = open(d + "/root.der", "rb").read()
            collateral = dcap_qvl.QuoteCollateralV3.from_json(open(d + "/collateral.json").read())
            for _ in range(20):
                dcap_qvl.verify_with_root_ca(quote, collateral, root, now)
            count, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                for _ in range(50):
                    dcap_qvl.verify_with_root_ca(quote, collateral, root, now)
                count += 50
            print(json.dumps({"rate": count / (time.perf_counter() - start), "version": version("dcap-qvl")}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.python)
        process.arguments = ["-c", script, directory.path, String(Int(now.timeIntervalSince1970)), String(self.seconds)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let rate = result["rate"] as? Double, let version = result["version"] as? String
        else {
            throw BenchmarkError(message: "the dcap-qvl peer failed; run `make prereqs` to create .build/venv")
        }
        return (rate, version)
    }
}
