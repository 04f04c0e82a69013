import Attestation
import AttestationSimulation
import Emulators
import Encoding
import Foundation
import TestSupport
import Testing

/// `devopsdefender attest`: simulated quotes round-trip through `verify`; exit codes 0 / 1 / 2.
@Suite struct AttestCLITests {
    static func scratch() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-attest-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func simulatedQuoteVerifiesOnlyWithItsRoot() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mrtd = String(repeating: "ab", count: 48)
        let made = try await CLITests.runAsync(["attest", "quote", "--sim", "--version", "5", "--mrtd", mrtd, "--output-dir", directory.path])
        #expect(made.status == 0, "\(made.standardError)")
        let quote = directory.appendingPathComponent("quote.dat").path
        let root = directory.appendingPathComponent("root.pem").path
        let collateral = directory.appendingPathComponent("collateral.json").path

        let accepted = try await CLITests.runAsync(["attest", "verify", quote, "--root", root, "--collateral", collateral])
        #expect(accepted.status == 0, "\(accepted.standardOutput)")
        #expect(accepted.standardOutput.contains("verdict: ACCEPTED"))
        #expect(accepted.standardOutput.contains("MRTD          \(mrtd)"))
        #expect(accepted.standardOutput.contains("TCB status    UpToDate"))

        let intel = try await CLITests.runAsync(["attest", "verify", quote, "--collateral", collateral, "--format", "json"])
        #expect(intel.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(intel.standardOutput.utf8)) as? [String: Any]
        #expect(report?["accepted"] as? Bool == false)
        let codes = (report?["reasons"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("pck-chain-untrusted"))
    }

    @Test func policyFromTheExampleFleetRejectsWithEveryReason() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try await CLITests.runAsync(["attest", "quote", "--sim", "--debug", "--output-dir", directory.path])
        let result = try await CLITests.runAsync([
            "attest", "verify", directory.appendingPathComponent("quote.dat").path,
            "--root", directory.appendingPathComponent("root.pem").path,
            "--policy", "examples/fleet.yaml",
        ])
        #expect(result.status == 1)
        #expect(result.standardOutput.contains("[debug-td]"))
        #expect(result.standardOutput.contains("[mrtd]"))
        #expect(result.standardOutput.contains("[rtmr]"))
    }

    @Test func unusableInputExitsTwo() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.dat")
        try Data("not a quote".utf8).write(to: garbage)
        let notAQuote = try await CLITests.runAsync(["attest", "verify", garbage.path])
        #expect(notAQuote.status == 2)
        #expect(notAQuote.standardError.contains("not a TDX quote"))
        let missing = try await CLITests.runAsync(["attest", "verify", directory.appendingPathComponent("missing.dat").path])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("no such quote file"))
        let badTime = try await CLITests.runAsync(["attest", "verify", garbage.path, "--at", "yesterday"])
        #expect(badTime.status == 2)
        let noSim = try await CLITests.runAsync(["attest", "quote"])
        #expect(noSim.status == 2)
        #expect(noSim.standardError.contains("--sim"))
    }
}

/// `--pccs` and `attest collateral` against the PCCS emulator, through the real binary.
@Suite struct AttestPCCSCLITests {
    @Test func verifyFetchesCollateralFromAPCCS() async throws {
        let directory = try AttestCLITests.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let authority = try SimulatedTDXAuthority(notBefore: now.addingTimeInterval(-86_400))
        let quote = directory.appendingPathComponent("quote.dat")
        let root = directory.appendingPathComponent("root.pem")
        try Data(try authority.quote(SimulatedQuoteRequest())).write(to: quote)
        try Data(try authority.rootPEM.utf8).write(to: root)
        let bundle = try authority.collateral(issued: now.addingTimeInterval(-3_600))
        let emulator = PCCSEmulator(bundle: bundle, fmspc: Hex.encode(authority.platform.fmspc))
        let saved = directory.appendingPathComponent("collateral.json")
        let otherPlatform = PCCSEmulator(bundle: bundle, fmspc: "00606a000000")
        let (verified, fetched) = try await LoopbackServer.withRunning(emulator.router()) { port in
            let url = "http://127.0.0.1:\(port)"
            let verified = try await CLITests.runOffPool(["attest", "verify", quote.path, "--root", root.path, "--pccs", url])
            let fetched = try await CLITests.runOffPool(["attest", "collateral", quote.path, "--pccs", url, "--output", saved.path])
            return (verified, fetched)
        }
        let missing = try await LoopbackServer.withRunning(otherPlatform.router()) { port in
            try await CLITests.runOffPool(["attest", "verify", quote.path, "--root", root.path, "--pccs", "http://127.0.0.1:\(port)"])
        }
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("HTTP 404"))
        #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        #expect(verified.standardOutput.contains("TCB status    UpToDate"))
        #expect(fetched.status == 0, "\(fetched.standardError)")
        #expect(try CollateralBundle.decode(json: Data(contentsOf: saved)) == bundle)
    }
}
