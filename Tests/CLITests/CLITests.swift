import Foundation
import TestSupport
import Testing

/// Runs the real `devopsdefender` binary: exit codes, output streams, and what users see.
@Suite struct CLITests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let invalidDirectory = repositoryRoot.appendingPathComponent("Tests/SpecTests/Fixtures/invalid")

    /// The binary built beside this test bundle (`swift build --build-tests` builds both).
    static var binary: URL {
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testExecutable.deletingLastPathComponent()
        // The bundle is .build/<config>/<name>.xctest (a file on Linux, a directory elsewhere).
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("devopsdefender").path),
            directory.pathComponents.count > 1
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("devopsdefender")
    }

    typealias Run = TestEnvironment.ProcessResult

    /// Runs the binary off the cooperative pool, so a test that also serves requests in-process
    /// (an emulator) never blocks the threads its own server needs.
    static func runOffPool(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        try await TestEnvironment.offPool { try Self.run(arguments, environment: environment) }
    }

    /// ``run(_:input:environment:)`` on a thread of its own: a test waiting for a process must
    /// not hold one of the cooperative threads the in-process servers of other tests need.
    static func runAsync(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) async throws -> Run {
        try await TestEnvironment.offPool { try Self.run(arguments, input: input, environment: environment) }
    }

    static func run(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> Run {
        try TestEnvironment.run(self.binary, arguments, environment: environment, directory: self.repositoryRoot, input: input)
    }

    @Test func validExampleExitsZero() async throws {
        let result = try await Self.runAsync(["validate", "examples/fleet.yaml"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("examples/fleet.yaml: valid"))
    }

    @Test func everyInvalidFixtureExitsOneWithItsDiagnostic() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.invalidDirectory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.count >= 40)
        for name in names {
            let path = "Tests/SpecTests/Fixtures/invalid/\(name)"
            let header = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(path), encoding: .utf8)
                .split(separator: "\n", maxSplits: 1)[0]
            let parts = header.replacingOccurrences(of: "# expect: ", with: "").split(separator: " ")
            let result = try await Self.runAsync(["validate", path])
            #expect(result.status == 1, "\(name): \(result.standardError)")
            // Compiler-style: file:line:column: error: … [rule]
            let expected = "\(path):\(parts[1]): error:"
            let line = result.standardError.split(separator: "\n").first { $0.hasPrefix(expected) && $0.hasSuffix("[\(parts[0])]") }
            #expect(line != nil, "\(name): expected '\(expected) … [\(parts[0])]' in:\n\(result.standardError)")
        }
    }

    @Test func textDiagnosticsShowTheSourceLineAndACaret() async throws {
        let result = try await Self.runAsync(["validate", "Tests/SpecTests/Fixtures/invalid/unknown-key-typo.yaml"])
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let index = try #require(lines.firstIndex { $0.contains("unknown key 'machinetype'") })
        #expect(lines[index].contains("did you mean 'machineType'?"))
        #expect(lines[index + 1].hasSuffix("|         machinetype: c3-standard-4"))
        #expect(lines[index + 2].hasSuffix("|         ^"))
    }

    @Test func jsonReportListsDiagnostics() async throws {
        let result = try await Self.runAsync([
            "validate", "--format", "json", "examples/fleet.yaml", "Tests/SpecTests/Fixtures/invalid/bad-zone.yaml",
        ])
        #expect(result.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["valid"] as? Bool } == [true, false])
        let diagnostic = try #require((files[1]["diagnostics"] as? [[String: Any]])?.first)
        #expect(diagnostic["rule"] as? String == "invalid-name")
        #expect(diagnostic["line"] as? Int == 11)
    }

    @Test func literalSecretsNeverReachTheOutput() async throws {
        let result = try await Self.runAsync(["validate", "Tests/SpecTests/Fixtures/invalid/literal-api-token.yaml"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("<redacted>"))
        #expect(!result.standardError.contains("abcdefabcdef0123456789"))
        let secretEnvironment = try await Self.runAsync(["validate", "Tests/SpecTests/Fixtures/invalid/literal-secret-env.yaml"])
        #expect(!secretEnvironment.standardError.contains("hunter2"))
    }

    @Test func ioAndUsageErrorsExitTwo() async throws {
        #expect(try await Self.runAsync(["validate", "no/such/fleet.yaml"]).status == 2)
        #expect(try await Self.runAsync(["validate", "examples"]).status == 2)
        #expect(try await Self.runAsync(["validate"]).status == 2)
        #expect(try await Self.runAsync(["validate", "--format", "xml", "examples/fleet.yaml"]).status == 2)
        #expect(try await Self.runAsync(["render", "examples/fleet.yaml", "--env", "nope"]).status == 2)
        #expect(try await Self.runAsync(["frobnicate"]).status == 2)
    }

    @Test func oversizedFilesAreRefusedWithoutReading() async throws {
        let result = try await Self.runAsync(["validate", "--max-bytes", "100", "examples/fleet.yaml"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("[file-too-large]"))
    }

    /// A "billion laughs" file (9^9 nodes once expanded) is refused by the composer's alias
    /// budget, which counts what aliases would copy; a process that tried to expand it would not
    /// finish. (No wall-clock bound: that is the composer's budget's job, tested in SpecTests.)
    @Test func aliasBombIsRefused() async throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            text += "\(name): &\(name) [\(Array(repeating: "*\(previous)", count: 9).joined(separator: ","))]\n"
        }
        #expect(text.utf8.count < 1024)
        let result = try await Self.runAsync(["validate", "-"], input: Data(text.utf8))
        #expect(result.status == 1)
        #expect(result.standardError.contains("[alias-expansion]"))
    }

    @Test func renderIsDeterministicAndParses() async throws {
        let first = try await Self.runAsync(["render", "examples/fleet.yaml", "--preview", "5", "--format", "json"])
        let second = try await Self.runAsync(["render", "examples/fleet.yaml", "--preview", "5", "--format", "json"])
        #expect(first.status == 0)
        #expect(first.standardOutput == second.standardOutput)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(first.standardOutput.utf8)) as? [String: Any])
        let environments = try #require(document["environments"] as? [[String: Any]])
        #expect(environments.map { $0["name"] as? String } == ["production", "staging", "pr-5"])
        let yaml = try await Self.runAsync(["render", "examples/fleet.yaml", "--env", "staging"])
        #expect(yaml.status == 0)
        #expect(yaml.standardOutput.hasPrefix("formatVersion: 1\nfleet: devopsdefender\nenvironments:\n- name: staging\n"))
    }

    @Test func schemaIsJSONSchema202012() async throws {
        let result = try await Self.runAsync(["schema"])
        #expect(result.status == 0)
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect((schema["required"] as? [String])?.contains("environments") == true)
    }

    @Test(arguments: [
        ["--help"], ["validate", "--help"], ["render", "--help"], ["schema", "--help"], ["attest", "verify", "--help"],
        ["attest", "quote", "--help"], ["attest", "collateral", "--help"], ["observe", "--help"], ["emulator", "--help"],
    ])
    func helpTeaches(arguments: [String]) async throws {
        let result = try await Self.runAsync(arguments)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("USAGE:"))
        #expect(result.standardOutput.contains("devopsdefender"))
    }
}

/// The committed schema that examples/fleet.yaml points editors at stays in step with the code.
@Suite struct CommittedSchemaTests {
    @Test func docsSchemaMatchesTheExport() async throws {
        let committed = try String(
            contentsOf: CLITests.repositoryRoot.appendingPathComponent("docs/fleet-v1.schema.json"),
            encoding: .utf8
        )
        let exported = try await CLITests.runAsync(["schema"]).standardOutput
        #expect(committed == exported, "regenerate with: devopsdefender schema > docs/fleet-v1.schema.json")
    }
}
