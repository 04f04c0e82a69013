import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The commands that read no fleet secret (schema, attest, noise, emulator, agent) print none
/// either: run with a canary in every source the others read — the Cloudflare token in the
/// environment, a token file, a GCE key file — and in the process environment (issue 18, point 1).
@Suite struct SecretCanaryOtherCommandsTests {
    typealias Canaries = SecretCanaryCLITests.Canaries

    @Test("canaries in every source appear in no output of schema, attest quote/verify/collateral, noise vectors, emulator or agent")
    func everyOtherCommand() async throws {
        let canaries = Canaries()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-canary-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("cf-token")
        try Data((canaries.fileToken + "\n").utf8).write(to: tokenFile)
        let keyFile = directory.appendingPathComponent("key.json")
        try Data(#"{"type":"service_account","private_key":"\#(canaries.lineBreakFirst)"}"#.utf8).write(to: keyFile)
        let environment = [
            "DD_CF_API_TOKEN": canaries.envToken, "DD_CANARY": canaries.environ, "DD_GCE_CREDENTIALS": keyFile.path,
            "DD_CF_API_TOKEN_FILE": tokenFile.path,
        ]
        let sim = directory.appendingPathComponent("sim").path
        let vectors = TestEnvironment.testdataDirectory.appendingPathComponent("noise/snow_25519_ChaChaPoly_SHA256.json").path
        // With the status each must end with (nil: an error, here nothing answers at the PCCS).
        let runs: [(arguments: [String], status: Int32?)] = [
            (["schema"], 0),
            (["attest", "quote", "--sim", "--output-dir", sim], 0),
            (["attest", "verify", "\(sim)/quote.dat", "--root", "\(sim)/root.pem", "--collateral", "\(sim)/collateral.json"], 0),
            (["attest", "collateral", "\(sim)/quote.dat", "--pccs", "http://127.0.0.1:1", "--output", "\(sim)/fetched.json"], nil),
            (["noise", "vectors", vectors], 0),
        ]
        for (arguments, status) in runs {
            let result = try await CLITests.runAsync(arguments, environment: environment)
            let expected = status.map { result.status == $0 } ?? (result.status != 0)
            #expect(expected, "\(arguments): \(result.status)\n\(result.standardError.suffix(1000))")
            canaries.expectAbsent(from: result.standardOutput + result.standardError, "`\(arguments.prefix(2).joined(separator: " "))`")
        }
        try await Self.expectAbsentFromBackground(
            ["emulator", "--gce", "--cloudflare", "--key-file", directory.appendingPathComponent("emulator-key.json").path],
            until: "export DD_CF_API_TOKEN=",
            environment: environment,
            canaries: canaries,
            log: directory.appendingPathComponent("emulator.log")
        )
        try await Self.expectAbsentFromBackground(
            [
                "agent", "--register-url", "ws://127.0.0.1:1/register", "--vm-name", "dd-production-web-0-de1ea041", "--instance-id", "1",
                "--cp-mrtd", String(repeating: "ab", count: 48), "--quote-source", "simulated", "--sim-authority", "\(sim)/authority.json",
                "--trust-simulated", "--connector", "none",
                "--health-listen", "127.0.0.1:0", "--max-backoff", "1", "--log-level", "trace",
            ],
            until: "registration attempt failed; retrying",
            environment: environment,
            canaries: canaries,
            log: directory.appendingPathComponent("agent.log")
        )
    }

    /// Starts a long-running command, waits for `marker` in its output, stops it with SIGTERM and
    /// looks for the canaries in everything it printed.
    static func expectAbsentFromBackground(
        _ arguments: [String],
        until marker: String,
        environment: [String: String],
        canaries: Canaries,
        log: URL
    ) async throws {
        let process = try RegistrationEndToEndTests.Background(arguments, environment: environment, log: log)
        defer { process.kill() }
        try await RegistrationEndToEndTests.eventually("`\(arguments[0])` to print \(marker)", timeout: .seconds(60)) {
            process.output.contains(marker)
        }
        process.kill(SIGTERM)
        try await RegistrationEndToEndTests.eventually("`\(arguments[0])` to stop", timeout: .seconds(30)) { !process.process.isRunning }
        canaries.expectAbsent(from: process.output, "`\(arguments[0])`")
    }
}
