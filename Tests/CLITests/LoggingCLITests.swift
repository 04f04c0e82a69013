import Emulators
import Foundation
import Logging
import TestSupport
import Testing

@testable import CLI

/// Logging is bootstrapped once per process, to standard error: JSON lines off a terminal (or
/// with --log-format json), human text on one, at --log-level; never a secret.
@Suite struct LoggingCLITests {
    @Test(
        "auto is text on a terminal and JSON lines elsewhere; an explicit format wins",
        arguments: [
            (LogSettings.Format.auto, true, false), (.auto, false, true), (.text, false, false), (.json, true, true),
        ]
    )
    func formatFollowsTheTerminal(format: LogSettings.Format, terminal: Bool, json: Bool) {
        #expect(LogBootstrap.writesJSON(format, standardErrorIsTerminal: terminal) == json)
    }

    @Test("a JSON log line is one line of valid JSON with sorted keys, whatever the message holds")
    func jsonLineIsOneObject() throws {
        let line = JSONLinesLogHandler.line(
            timestamp: Date(timeIntervalSince1970: 1_796_000_000),
            level: .notice,
            label: "devopsdefender.test",
            message: "retrying \"list\"\nafter 503",
            metadata: ["provider": "gce", "attempt": .stringConvertible(2), "zones": ["a", "b"]],
            source: "ProviderSupport"
        )
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "notice")
        #expect(object["label"] as? String == "devopsdefender.test")
        #expect(object["message"] as? String == "retrying \"list\"\nafter 503")
        #expect(object["source"] as? String == "ProviderSupport")
        #expect((object["timestamp"] as? String)?.hasPrefix("2026-11-30T00:53:20") == true)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["provider"] as? String == "gce")
        #expect(metadata["attempt"] as? String == "2")
        #expect(metadata["zones"] as? [String] == ["a", "b"])
        #expect(line.range(of: "\"label\"")!.lowerBound < line.range(of: "\"level\"")!.lowerBound)
    }

    @Test("observe --log-level debug writes every API call as a JSON line on standard error, no token, stdout untouched")
    func debugLogsAreJSONLinesWithoutSecrets() async throws {
        let server = try EmulatorServer(cloudflare: .init(), gce: .init(project: "dd-prod"))
        let gce = try #require(server.gce)
        let token = try #require(server.cloudflare?.configuration.tokens.first)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-logging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json")
        let result = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            try JSONEncoder().encode(gce.serviceAccountKey(tokenURI: base + "/token")).write(to: keyFile)
            return try await CLITests.runOffPool(
                [
                    "observe", "examples/fleet.yaml", "--gce-endpoint", base + "/compute/v1", "--cloudflare-endpoint", base + "/client/v4",
                    "--gce-credentials", keyFile.path, "--format", "json", "--log-level", "debug",
                ],
                environment: ["DD_CF_API_TOKEN": token]
            )
        }
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) is [String: Any])
        let lines = result.standardError.split(separator: "\n")
        let objects = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
        let providers = Set(objects.compactMap { ($0["metadata"] as? [String: Any])?["provider"] as? String })
        #expect(providers == ["gce", "cloudflare"], "\(result.standardError)")
        #expect(objects.allSatisfy { $0["label"] as? String == "devopsdefender.observe" && $0["level"] as? String == "debug" })
        #expect(!result.standardError.contains(token))
    }

    @Test("an unknown --log-level is a usage error that names the flag")
    func unknownLevelIsAUsageError() throws {
        let result = try CLITests.run(["observe", "examples/fleet.yaml", "--log-level", "verbose"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("log-level"))
    }
}
