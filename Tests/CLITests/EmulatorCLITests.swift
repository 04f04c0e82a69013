import Foundation
import TestSupport
import Testing

/// `devopsdefender emulator` run standalone, used as a new user would: start it, `source` its
/// exports, point the official SDKs at it, stop it with Ctrl-C.
@Suite struct EmulatorCLITests {
    /// Starts the emulator and returns the process and the variables it exported.
    static func start(_ arguments: [String]) throws -> (Process, [String: String]) {
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["emulator"] + arguments
        process.currentDirectoryURL = CLITests.repositoryRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("DD_CF_ZONE_ID") || !text.hasSuffix("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        var exports: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { exports[String(pair[0])] = String(pair[1]) }
        }
        return (process, exports)
    }

    static func python(_ script: String, _ arguments: [String]) throws -> (Int32, String) {
        guard let python = ProcessInfo.processInfo.environment["DD_PYTHON"] else { return (-1, "") }
        let path = CLITests.repositoryRoot.appendingPathComponent("Tests/ProviderTests/\(script)").path
        let result = try TestEnvironment.run(URL(fileURLWithPath: python), [path] + arguments)
        return (result.status, result.standardOutput + result.standardError)
    }

    @Test("a new user's path: emulate the example fleet, plan (2), apply (0), plan (0); a wrong token is an error (1), not 'not found'")
    func newUserPathWithTheExampleFleet() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-emulator-fleet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json").path
        let (emulator, exports) = try Self.start(["--gce", "--cloudflare", "--fleet", "examples/fleet.yaml", "--key-file", keyFile])
        defer { if emulator.isRunning { emulator.terminate() } }
        #expect(exports["DD_GCE_PROJECT"] == "dd-prod" && exports["DD_CF_ZONE_ID"] == "fedcba9876543210fedcba9876543210")
        var env = exports
        env["DD_JOURNAL"] = directory.appendingPathComponent("journal.sqlite3").path
        let first = try await CLITests.runOffPool(["plan", "examples/fleet.yaml"], environment: env)
        #expect(first.status == 2, "\(first.standardError)")
        let apply = try await CLITests.runOffPool(["apply", "examples/fleet.yaml", "--auto-approve"], environment: env)
        #expect(apply.status == 0, "\(apply.standardError)")
        let again = try await CLITests.runOffPool(["plan", "examples/fleet.yaml"], environment: env)
        #expect(again.status == 0 && again.standardOutput.contains("0 to create, 0 to update, 0 to delete"), "\(again.standardError)")
        env["DD_CF_API_TOKEN"] = "not-the-token"
        let wrong = try await CLITests.runOffPool(["plan", "examples/fleet.yaml"], environment: env)
        #expect(wrong.status == 1, "\(wrong.standardOutput)")
        let errors = wrong.standardError.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1 && errors[0].contains("cloudflare.tunnels") && errors[0].contains("fix:"), "\(wrong.standardError)")
        #expect(errors.first?.contains("DD_CF_API_TOKEN") == true && !errors[0].contains("not-the-token"), "names the variable, never the value")
        #expect(!wrong.standardOutput.contains("not found") && !wrong.standardError.contains("not found"))
    }

    @Test func standaloneEmulatorServesBothSDKs() async throws {
        guard TestEnvironment.python(for: "the cloud SDKs") != nil else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-emulator-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json").path
        let (emulator, env) = try Self.start(["--gce", "--cloudflare", "--key-file", keyFile])
        defer { if emulator.isRunning { emulator.terminate() } }
        #expect(env["DD_GCE_CREDENTIALS"] == keyFile)
        let key = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keyFile))) as? [String: Any]
        #expect((key?["token_uri"] as? String)?.hasPrefix(env["DD_GCE_API_ENDPOINT"] ?? "?") == true)
        let results = try await TestEnvironment.offPool {
            (
                try Self.python(
                    "gce_sdk_interop.py",
                    [env["DD_GCE_API_ENDPOINT"] ?? "", keyFile, env["DD_GCE_PROJECT"] ?? "", env["DD_GCE_ZONE"] ?? ""]
                ),
                try Self.python(
                    "cloudflare_sdk_interop.py",
                    [
                        env["DD_CLOUDFLARE_ENDPOINT"] ?? "", env["DD_CF_API_TOKEN"] ?? "", env["DD_CF_ACCOUNT_ID"] ?? "",
                        env["DD_CF_ZONE_ID"] ?? "",
                    ]
                )
            )
        }
        #expect(results.0.0 == 0, "\(results.0.1.suffix(2000))")
        #expect(results.0.1.contains("\"delete_status\": \"DONE\""))
        #expect(results.1.0 == 0, "\(results.1.1.suffix(2000))")
        #expect(results.1.1.contains("\"duplicate\": \"ConflictError\""))
        emulator.interrupt()
        emulator.waitUntilExit()
        #expect(emulator.terminationStatus == 0)
    }
}
