import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import TestSupport
import Testing

/// No secret in any output, ever: canary secrets planted in every source — an environment
/// variable, a file, a token with an inner line break, a GCE service-account key, and the
/// process environment itself — never appear in the standard output or error (logs at trace
/// included) of any command, in the journal, in a saved plan, in the VMs' metadata, or in
/// the control plane's HTTP answers; hostile fleet files and tampered saved plans included.
@Suite struct SecretCanaryCLITests {
    /// The canaries of one test.
    struct Canaries {
        let envToken = "ddcanaryENVTOKEN" + Self.random()
        let fileToken = "ddcanaryFILETOKEN" + Self.random()
        let lineBreakFirst = "ddcanaryLINEA" + Self.random()
        let lineBreakSecond = "ddcanaryLINEB" + Self.random()
        let environ = "ddcanaryENVIRON" + Self.random()
        /// A line of the GCE key's private key (set once the key exists).
        var key = ""

        static func random() -> String { String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16)) }

        var all: [String] {
            [self.envToken, self.fileToken, self.lineBreakFirst, self.lineBreakSecond, self.environ, self.key].filter { !$0.isEmpty }
        }

        /// Records an issue for every canary found in `text`.
        func expectAbsent(from text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
            for canary in self.all where text.contains(canary) {
                Issue.record("a secret (\(canary.prefix(15))…) appears in \(what):\n\(text.suffix(1500))", sourceLocation: sourceLocation)
            }
        }
    }

    /// The example fleet with its secret references replaced.
    static func fleet(apiToken: String, credentials: String) throws -> String {
        let text = try String(contentsOf: CLITests.repositoryRoot.appendingPathComponent(PlanApplyCLITests.fleet), encoding: .utf8)
        let token = "apiToken: { env: DD_CF_API_TOKEN }"
        let key = "credentials: { file: /etc/devopsdefender/gce-key.json }"
        guard text.contains(token), text.contains(key) else { throw Failure("examples/fleet.yaml's secret references moved") }
        return text.replacingOccurrences(of: token, with: "apiToken: \(apiToken)").replacingOccurrences(of: key, with: "credentials: \(credentials)")
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Writes a file in the fleet's directory and answers its path.
    static func write(_ text: String, _ name: String, in fleet: CLIFleet) throws -> String {
        let url = fleet.directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// The GCE key the fleet's environment names, moved into `secrets/` (the fleet file names
    /// it there), with one line of its private key as the key canary.
    static func plantKey(in fleet: CLIFleet, canaries: inout Canaries) throws -> String {
        let original = try #require(fleet.environment["DD_GCE_CREDENTIALS"])
        let data = try Data(contentsOf: URL(fileURLWithPath: original))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pem = try #require(object["private_key"] as? String)
        canaries.key = try Self.keyCanary(pem)
        let path = fleet.directory.appendingPathComponent("secrets/gce-key.json").path
        try FileManager.default.createDirectory(atPath: fleet.directory.appendingPathComponent("secrets").path, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The longest run without `/` of the private key's first base64 line (a JSON encoder may
    /// write `/` as `\/`, and a leak of the raw file must still be caught).
    static func keyCanary(_ pem: String) throws -> String {
        let line = try #require(pem.split(separator: "\n").dropFirst().first)
        let piece = try #require(line.split(separator: "/").max { $0.count < $1.count })
        try #require(piece.count >= 12, "a private key line with a run of 12 characters")
        return String(piece)
    }

    @Test(
        "canaries in every source appear in no output of validate, render, plan, plan --out + apply PLAN, apply, observe, nor in the journal or metadata"
    )
    func everyCommandEverySource() async throws {
        let canaries = Canaries()
        let tokens = [canaries.envToken, canaries.fileToken]
        try await CLIFleet.with(cloudflareTokens: tokens) { [canaries] fleet in
            var canaries = canaries
            let keyPath = try Self.plantKey(in: fleet, canaries: &canaries)
            let secrets = fleet.directory.appendingPathComponent("secrets").path
            let tokenFile = try Self.write(canaries.fileToken + "\n", "secrets/cf-token", in: fleet)
            let byEnv = try Self.write(
                try Self.fleet(apiToken: "{ env: DD_CF_API_TOKEN }", credentials: "{ file: \(keyPath) }"),
                "env.yaml",
                in: fleet
            )
            let byFile = try Self.write(
                try Self.fleet(apiToken: "{ file: \(tokenFile) }", credentials: "{ file: \(keyPath) }"),
                "file.yaml",
                in: fleet
            )
            // The spec's key, not the operator's; the canary in the environment of every command.
            let environment = ["DD_GCE_CREDENTIALS": "", "DD_CANARY": canaries.environ, "DD_CF_API_TOKEN": canaries.envToken]
            let allow = ["--secrets-from", secrets, "--secret-env", "DD_CF_API_TOKEN", "--log-level", "trace"]
            let planFile = fleet.directory.appendingPathComponent("plan.json").path
            let runs: [(arguments: [String], status: Int32)] = [
                (["validate", byEnv], 0),
                (["render", byEnv, "--format", "json"], 0),
                (["plan", byEnv] + allow, 2),
                (["plan", byEnv, "--format", "json"] + allow, 2),
                (["plan", byEnv, "--out", planFile] + allow, 2),
                (["apply", planFile, "--log-level", "trace"], 0),
                (["observe", byEnv, "--log-level", "trace"], 0),
                (["plan", byFile, "--format", "markdown"] + allow, 0),
                (["apply", byFile, "--auto-approve", "--log-level", "trace"], 0),
                (["observe", byFile, "--format", "json", "--log-level", "trace"], 0),
            ]
            for (arguments, status) in runs {
                let result = try await fleet.run(arguments, extra: environment)
                #expect(result.status == status, "\(arguments): \(result.status)\n\(result.standardError.suffix(2000))")
                canaries.expectAbsent(from: result.standardOutput + result.standardError, "`\(arguments.prefix(2).joined(separator: " "))`")
            }
            try await Self.expectAbsentFromState(fleet, canaries: canaries, also: [planFile])
        }
    }

    /// The journal's files, the saved plans, and the VMs' metadata as GCE answers it.
    static func expectAbsentFromState(_ fleet: CLIFleet, canaries: Canaries, also files: [String]) async throws {
        let journal = try #require(fleet.environment["DD_JOURNAL"])
        for path in [journal, journal + "-wal"] + files {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            canaries.expectAbsent(from: String(decoding: data, as: UTF8.self), path)
        }
        let instances = try await fleet.gce.rest.call(
            RESTRequest("GET", "/projects/dd-prod/aggregated/instances", operation: "instances.aggregatedList", rateGroup: "gce.reads")
        )
        let metadata = String(decoding: instances.body, as: UTF8.self)
        #expect(metadata.contains("ee-config"), "the VMs carry their metadata")
        canaries.expectAbsent(from: metadata, "the instances' metadata")
    }

    @Test("hostile secret sources print nothing of what they point at, whatever the command")
    func hostileSources() async throws {
        let canaries = Canaries()
        try await CLIFleet.with(cloudflareTokens: [canaries.envToken]) { [canaries] fleet in
            var canaries = canaries
            let keyPath = try Self.plantKey(in: fleet, canaries: &canaries)
            let secrets = fleet.directory.appendingPathComponent("secrets").path
            let environment = ["DD_CANARY": canaries.environ]
            let hostile: [(name: String, apiToken: String, env: [String: String])] = [
                ("environ", "{ file: /proc/self/environ }", [:]),
                ("line-break", "{ env: DD_CF_API_TOKEN }", ["DD_CF_API_TOKEN": canaries.lineBreakFirst + "\n" + canaries.lineBreakSecond]),
                ("key-as-token", "{ file: \(keyPath) }", [:]),
                ("environ-as-env", "{ env: DD_CANARY }", [:]),
            ]
            for (name, apiToken, extra) in hostile {
                let file = try Self.write(try Self.fleet(apiToken: apiToken, credentials: "{ file: \(keyPath) }"), "\(name).yaml", in: fleet)
                let commands = [
                    ["plan", file, "--log-level", "trace"],
                    ["plan", file, "--secrets-from", secrets, "--secrets-from", "/proc", "--secret-env", "DD_CF_API_TOKEN", "--log-level", "trace"],
                    ["apply", file, "--auto-approve", "--log-level", "trace"],
                    ["observe", file, "--log-level", "trace"],
                ]
                for arguments in commands {
                    let result = try await fleet.run(arguments, extra: environment.merging(extra) { $1 })
                    #expect(result.status != 0 && (result.status != 2 || arguments[0] == "observe"), "\(name) \(arguments): \(result.status)")
                    #expect(
                        result.standardError.contains("apiToken"),
                        "\(name) \(arguments): names the reference\n\(result.standardError.suffix(1500))"
                    )
                    canaries.expectAbsent(from: result.standardOutput + result.standardError, "\(name): `\(arguments.joined(separator: " "))`")
                }
            }
            // The GCE key from the fleet file (the operator names none): the environment, a
            // text file that is no key.
            let notAKey = try Self.write("token: \(canaries.environ)\n", "secrets/not-a-key.json", in: fleet)
            for credentials in ["{ file: /proc/self/environ }", "{ file: \(notAKey) }", "{ env: DD_CANARY }"] {
                let file = try Self.write(try Self.fleet(apiToken: "{ env: DD_CF_API_TOKEN }", credentials: credentials), "gce.yaml", in: fleet)
                for arguments in [["plan", file, "--secrets-from", secrets], ["apply", file, "--auto-approve"], ["observe", file]] {
                    let result = try await fleet.run(
                        arguments + ["--log-level", "trace"],
                        extra: environment.merging(["DD_GCE_CREDENTIALS": "", "DD_SECRET_ENV_ALLOW": ""]) { $1 }
                    )
                    #expect(result.status != 0 && (result.status != 2 || arguments[0] == "observe"), "\(credentials) \(arguments): \(result.status)")
                    #expect(
                        result.standardError.contains("providers.gce.credentials"),
                        "\(credentials) \(arguments):\n\(result.standardError.suffix(1500))"
                    )
                    canaries.expectAbsent(from: result.standardOutput + result.standardError, "\(credentials): `\(arguments.joined(separator: " "))`")
                }
            }
            #expect(fleet.server.journal.mutatingCount == 0, "nothing ran with a refused secret")
        }
    }

    @Test("a plan refuses the fleet file's secret sources unless the operator allows them; the operator's own flags always work")
    func planNeedsTheOperatorsAllowance() async throws {
        try await CLIFleet.with { fleet in
            let token = try #require(fleet.environment["DD_CF_API_TOKEN"])
            var environment = fleet.environment
            environment["DD_SECRET_ENV_ALLOW"] = nil
            let example = PlanApplyCLITests.fleet
            let refused = try await CLITests.runOffPool(["plan", example], environment: environment)
            #expect(refused.status == 1 && refused.standardError.contains("--secret-env DD_CF_API_TOKEN"), "\(refused.standardError)")
            let other = try await CLITests.runOffPool(["plan", example, "--secret-env", "SOMETHING_ELSE"], environment: environment)
            #expect(other.status == 1, "\(other.standardError)")
            let allowed = try await CLITests.runOffPool(["plan", example, "--secret-env", "DD_CF_API_TOKEN"], environment: environment)
            #expect(allowed.status == 2, "\(allowed.standardError)")
            environment["OPERATOR_TOKEN"] = token
            let byFlag = try await CLITests.runOffPool(["plan", example, "--cloudflare-token-env", "OPERATOR_TOKEN"], environment: environment)
            #expect(byFlag.status == 2, "\(byFlag.standardError)")
            let tokenFile = try Self.write(token + "\n", "operator-token", in: fleet)
            let byFile = try await CLITests.runOffPool(["plan", example, "--cloudflare-token-file", tokenFile], environment: environment)
            #expect(byFile.status == 2, "\(byFile.standardError)")
            // apply runs on reviewed specs: it reads the spec's sources unless the operator restricts them.
            let restricted = try await CLITests.runOffPool(["apply", example, "--auto-approve", "--secret-env", "OTHER"], environment: environment)
            #expect(restricted.status == 1 && restricted.standardError.contains("not one --secret-env allows"), "\(restricted.standardError)")
        }
    }

    @Test("a tampered saved plan fails its digest check without printing anything of the file it points at")
    func tamperedSavedPlan() async throws {
        let canaries = Canaries()
        try await CLIFleet.with { [canaries] fleet in
            var canaries = canaries
            let keyPath = try Self.plantKey(in: fleet, canaries: &canaries)
            let environ = try Self.write("PATH=/usr/bin\u{0}DD_CANARY=\(canaries.environ)\u{0}", "environ-copy", in: fleet)
            let planFile = fleet.directory.appendingPathComponent("plan.json").path
            #expect(try await fleet.run(["plan", PlanApplyCLITests.fleet, "--out", planFile]).status == 2)
            let saved = try String(contentsOfFile: planFile, encoding: .utf8)
            let quoted = #""file"\s*:\s*"examples/fleet.yaml""#
            #expect(saved.range(of: quoted, options: .regularExpression) != nil, "\(saved.prefix(600))")
            for target in ["/proc/self/environ", keyPath, environ, "/dev/zero"] {
                let tampered = fleet.directory.appendingPathComponent("tampered.json").path
                try saved.replacingOccurrences(of: quoted, with: "\"file\": \"\(target)\"", options: .regularExpression)
                    .write(toFile: tampered, atomically: true, encoding: .utf8)
                let result = try await fleet.run(["apply", tampered], extra: ["DD_CANARY": canaries.environ])
                #expect(result.status == 1 || result.status == 3, "\(target): \(result.status) \(result.standardError)")
                canaries.expectAbsent(from: result.standardOutput + result.standardError, "apply of a plan pointing at \(target)")
            }
            #expect(fleet.server.journal.mutatingCount == 0)
        }
    }

    @Test("the control plane, `status` and its HTTP routes show no secret; nor do its log, journal or the VMs' metadata")
    func controlPlane() async throws {
        try await DaemonFleet.with { fleet, first in
            var canaries = Canaries()
            let key = try Data(contentsOf: URL(fileURLWithPath: try #require(fleet.exports["DD_GCE_CREDENTIALS"])))
            let object = try #require(try JSONSerialization.jsonObject(with: key) as? [String: Any])
            canaries.key = try Self.keyCanary(try #require(object["private_key"] as? String))
            let token = try #require(fleet.exports["DD_CF_API_TOKEN"])
            try await fleet.startControlPlane(["--log-level", "trace"], environment: ["DD_CANARY": canaries.environ])
            try await fleet.ready(at: first)
            var outputs: [(String, String)] = []
            for path in ["/health", "/status", "/metrics", "/plans/production", "/plans/production?format=markdown"] {
                outputs.append(("GET \(path)", try await fleet.get(path).body))
            }
            for arguments in [
                ["status", "--control-plane", fleet.url],
                ["wait", "--control-plane", fleet.url, "--revision", first.hex, "--env", "production", "--timeout", "10"],
                ["approve", "--control-plane", fleet.url, "--admin-token-file", fleet.adminTokenFile.path, first.hex, "--env", "production"],
            ] {
                let result = try await fleet.run(arguments)
                outputs.append((arguments[0], result.standardOutput + result.standardError))
            }
            outputs.append(("the instances' metadata", try await fleet.rawInstances()))
            _ = try await fleet.stopControlPlane()
            outputs.append(("the control plane's log", fleet.log))
            let state = fleet.directory.appendingPathComponent("state")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: state.path)) ?? [] {
                let data = FileManager.default.contents(atPath: state.appendingPathComponent(name).path) ?? Data()
                outputs.append(("state/\(name)", String(decoding: data, as: UTF8.self)))
            }
            #expect(fleet.log.contains("production"), "the log is the control plane's")
            for (what, text) in outputs {
                canaries.expectAbsent(from: text, what)
                #expect(!text.contains(token), "the Cloudflare token appears in \(what)")
                #expect(!text.contains(DaemonFleet.adminToken), "the admin token appears in \(what)")
                #expect(!text.contains(DaemonFleet.secret), "the webhook secret appears in \(what)")
            }
        }
    }
}
