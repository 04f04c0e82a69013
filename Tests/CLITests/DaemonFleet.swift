import Daemon
import Foundation
import ProviderSupport
import Reconciler
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One test's world for the GitOps daemon, all through real processes: the `emulator` command
/// (GCE and Cloudflare, serving what examples/fleet.yaml names), a git repository made with the
/// `git` CLI holding the fleet file, and a `control-plane --repo` process reconciling
/// `production` from it with simulated quotes. Tests read the daemon through its HTTP routes and
/// the CLI (`status`, `wait`, `approve`), and the clouds through the emulator's REST API.
///
/// Processes are separate, so nothing shares a clock with the test: every wait is a bounded poll
/// on an observable condition (a status, a pass counter, a VM list), never a sleep-then-assert.
final class DaemonFleet: @unchecked Sendable {
    static let secret = "webhook-secret-for-tests"
    static let adminToken = "admin-token-for-tests"
    static let examples = CLITests.repositoryRoot.appendingPathComponent("examples/fleet.yaml")

    let directory: URL
    /// The fleet repository's work tree (also the checkout `plan` reads).
    let repository: URL
    /// The emulator's `export` lines.
    let exports: [String: String]
    let adminTokenFile: URL
    private let emulator: Process
    private var controlPlane: Process?
    private var controlPlaneURL: String?
    private let http = HTTPTransport(timeout: .seconds(20))

    private init(directory: URL, emulator: Process, exports: [String: String]) {
        self.directory = directory
        self.repository = directory.appendingPathComponent("repo")
        self.emulator = emulator
        self.exports = exports
        self.adminTokenFile = directory.appendingPathComponent("admin.token")
    }

    /// Runs `body` with a started emulator and a repository whose first commit holds `fleet`
    /// (default: examples/fleet.yaml); stops every process it started, however `body` ends.
    static func with(fleet: String? = nil, _ body: (DaemonFleet, Revision) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("gce-key.json").path
        let (emulator, exports) = try await TestEnvironment.offPool {
            try EmulatorCLITests.start(["--gce", "--cloudflare", "--port", "0", "--fleet", "examples/fleet.yaml", "--key-file", keyFile])
        }
        let world = DaemonFleet(directory: directory, emulator: emulator, exports: exports)
        defer { world.killAll() }
        try #require(exports["DD_CF_ZONE_NAME"] != nil, "the emulator printed no exports")
        try Data("\(Self.secret)\n".utf8).write(to: directory.appendingPathComponent("webhook.secret"))
        try Data("\(Self.adminToken)\n".utf8).write(to: world.adminTokenFile)
        try FileManager.default.createDirectory(at: world.repository, withIntermediateDirectories: true)
        let sim = try await world.run(["attest", "quote", "--sim", "--output-dir", directory.appendingPathComponent("sim").path])
        try #require(sim.status == 0, "\(sim.standardError)")
        _ = try world.git(["init", "-q", "-b", "main"])
        let first = try world.commit(fleet ?? String(contentsOf: Self.examples, encoding: .utf8), message: "the fleet")
        try await body(world, first)
    }

    // MARK: Processes

    /// The CLI's environment: the emulator's exports and a journal of its own (never the daemon's).
    var cliEnvironment: [String: String] {
        self.exports.merging(["DD_JOURNAL": self.directory.appendingPathComponent("cli-journal.sqlite3").path]) { $1 }
    }

    /// Runs the binary to completion in the checkout, off the cooperative pool.
    func run(_ arguments: [String]) async throws -> TestEnvironment.ProcessResult {
        let environment = self.cliEnvironment
        let directory = self.repository
        return try await TestEnvironment.offPool {
            try TestEnvironment.run(CLITests.binary, arguments, environment: environment, directory: directory)
        }
    }

    /// Starts `control-plane --repo` for production (interval 1 s, webhook secret, admin token,
    /// simulated quotes, state in the temp directory) and waits for its port file.
    func startControlPlane(_ extra: [String] = [], environment extraEnvironment: [String: String] = [:]) async throws {
        let portFile = self.directory.appendingPathComponent("cp.port")
        let log = self.directory.appendingPathComponent("cp.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments =
            [
                "control-plane", "--repo", self.repository.path, "--env", "production", "--listen", "127.0.0.1:0", "--port-file", portFile.path,
                "--state-dir", self.directory.appendingPathComponent("state").path, "--interval", "1",
                "--webhook-secret-file", self.directory.appendingPathComponent("webhook.secret").path,
                "--admin-token-file", self.adminTokenFile.path,
                "--quote-source", "simulated", "--sim-authority", self.directory.appendingPathComponent("sim/authority.json").path,
                "--trust-simulated",
            ] + extra
        // The journal lives in --state-dir: a DD_JOURNAL inherited from the test run must not move it.
        var environment = ProcessInfo.processInfo.environment.merging(self.exports) { $1 }
        environment["DD_JOURNAL"] = nil
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        process.currentDirectoryURL = self.directory
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.controlPlane = process
        let port = try await Self.poll("the control plane's port file", timeout: .seconds(30)) { () -> Int? in
            guard process.isRunning else {
                throw Failure("the control plane ended (\(process.terminationReason), \(process.terminationStatus)):\n\(self.log)")
            }
            return (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        self.controlPlaneURL = "http://127.0.0.1:\(port)"
    }

    /// The control plane's URL (after ``startControlPlane(_:)``).
    var url: String { self.controlPlaneURL ?? "http://127.0.0.1:1" }

    /// The control plane's output so far.
    var log: String { (try? String(contentsOf: self.directory.appendingPathComponent("cp.log"), encoding: .utf8)) ?? "" }

    /// Stops the control plane with SIGTERM and answers its exit status.
    func stopControlPlane() async throws -> Int32 {
        guard let process = self.controlPlane else { return -1 }
        process.terminate()
        try await Self.poll("the control plane to stop on SIGTERM", timeout: .seconds(20)) { process.isRunning ? nil : true }
        // A death by signal reads as the negated signal number.
        return process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
    }

    /// Stops the control plane with SIGTERM and expects it to exit 0.
    ///
    /// Known issue (intermittent, matched narrowly): `ControlPlaneServer.run()` calls
    /// Hummingbird's `runService()`, which runs its own `ServiceGroup` that also handles SIGTERM.
    /// The server can then end on its own while the outer group is still stopping the loop,
    /// which the outer group reports as "A service has finished unexpectedly": exit 1.
    func expectCleanStop(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let status = try await self.stopControlPlane()
        let log = self.log
        #expect(status == 0, "exit status \(status):\n\(log.suffix(3000))", sourceLocation: sourceLocation)
    }

    private func killAll() {
        for process in [self.controlPlane, self.emulator].compactMap({ $0 }) where process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    // MARK: Git

    /// Runs `git` in the repository, with no user or system configuration and a fixed author.
    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let result = try TestEnvironment.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["git"] + arguments,
            environment: [
                "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
                "GIT_AUTHOR_NAME": "Fleet Tester", "GIT_AUTHOR_EMAIL": "fleet@example.com",
                "GIT_COMMITTER_NAME": "Fleet Tester", "GIT_COMMITTER_EMAIL": "fleet@example.com",
            ],
            directory: self.repository
        )
        guard result.status == 0 else { throw Failure("git \(arguments.joined(separator: " ")): \(result.standardError)") }
        return result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits `fleet` as fleet.yaml on the current branch; answers the new head.
    func commit(_ fleet: String, message: String) throws -> Revision {
        try fleet.write(to: self.repository.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        try self.git(["add", "fleet.yaml"])
        try self.git(["commit", "-q", "-m", message])
        guard let head = Revision(try self.git(["rev-parse", "HEAD"])) else { throw Failure("git rev-parse HEAD gave no commit id") }
        return head
    }

    /// The fleet file at HEAD.
    func fleetFile() throws -> String { try String(contentsOf: self.repository.appendingPathComponent("fleet.yaml"), encoding: .utf8) }

    // MARK: The control plane's routes

    /// `GET /status`, production's entry.
    func status() async throws -> EnvironmentStatus {
        let response = try await self.http.send(method: "GET", url: self.url + "/status")
        let document = try JSONDecoder().decode(StatusDocument.self, from: Data(response.body))
        guard let production = document.environments.first(where: { $0.name == "production" }) else {
            throw Failure("no production in /status")
        }
        return production
    }

    /// Polls `GET /status` until `condition` holds; answers that status.
    @discardableResult
    func status(
        until what: String,
        timeout: Duration = .seconds(30),
        _ condition: @escaping (EnvironmentStatus) -> Bool
    ) async throws -> EnvironmentStatus {
        do {
            return try await Self.poll(what, timeout: timeout) {
                let status = try await self.status()
                return condition(status) ? status : nil
            }
        } catch let failure as Failure {
            let last = (try? await self.status()).map { "\($0)" } ?? "unreadable"
            throw Failure("\(failure.description)\nlast status: \(last)\ncontrol plane:\n\(self.log.suffix(3000))")
        }
    }

    /// Production is Ready at `revision`: applied, a pass finished at it, converged.
    func ready(at revision: Revision) async throws {
        try await self.status(until: "Ready at \(revision.short)") {
            $0.appliedRevision == revision && $0.lastPass?.revision == revision.hex && $0.conditions.isTrue(.ready)
        }
    }

    /// Passes finished so far: the count of `devopsdefender_reconcile_duration_seconds` in
    /// `GET /metrics`, over every result. (The status's `lastPass.startedAt` is in whole seconds
    /// and two passes a jittered second apart may share one; the counter never does.)
    func passes() async throws -> Int {
        let response = try await self.http.send(method: "GET", url: self.url + "/metrics")
        let prefix = "devopsdefender_reconcile_duration_seconds_count{"
        return String(decoding: response.body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix(prefix) && $0.contains("environment=\"production\"") }
            .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            .reduce(0, +)
    }

    /// Waits until `count` whole passes ran after this call (a pass running when it is made is
    /// not counted: it may have begun before).
    func waitForPasses(_ count: Int) async throws {
        let start = try await self.passes()
        // Passes 1 s apart, each a few seconds at most on a loaded 2-core machine running the
        // suite: generous, since what is checked is that they keep coming, not their pace.
        try await Self.poll("\(count) more passes", timeout: .seconds(Int64(count) * 15 + 15)) {
            try await self.passes() >= start + count + 1 ? true : nil
        }
    }

    /// `GET /plans/production`, as JSON or Markdown.
    func plan(format: String = "json") async throws -> String {
        let response = try await self.http.send(method: "GET", url: self.url + "/plans/production?format=\(format)")
        guard response.status == 200 else { throw Failure("GET /plans/production: \(response.status)") }
        return String(decoding: response.body, as: UTF8.self)
    }

    /// `POST /hooks/github` with a GitHub `push` delivery, signed with `secret` (HMAC-SHA256 of
    /// the body, computed by `openssl`: the test target does not link swift-crypto); answers the
    /// HTTP status.
    func push(_ revision: Revision, secret: String = DaemonFleet.secret) async throws -> Int {
        let body = Data(#"{"ref":"refs/heads/main","after":"\#(revision.hex)"}"#.utf8)
        let mac = try TestEnvironment.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["openssl", "dgst", "-sha256", "-hmac", secret],
            input: body
        )
        guard mac.status == 0, let hex = mac.standardOutput.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            throw Failure("openssl: \(mac.standardError)")
        }
        let response = try await self.http.send(
            method: "POST",
            url: self.url + "/hooks/github",
            headers: [
                ("Content-Type", "application/json"), ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", UUID().uuidString.lowercased()),
                ("X-Hub-Signature-256", "sha256=\(hex)"),
            ],
            body: Array(body)
        )
        return response.status
    }

    // MARK: The emulator's REST API

    /// One GCE instance as the API lists it.
    struct Instance: Hashable, Sendable {
        /// GCE's id: a VM recreated under the same name has a new one.
        var id: String
        var name: String
        var zone: String
        var labels: [String: String]
    }

    /// The emulated project's REST base URL.
    private var gceProject: String { "\(self.exports["DD_GCE_ENDPOINT"] ?? "")/projects/\(self.exports["DD_GCE_PROJECT"] ?? "")" }

    /// Every instance in the project (the aggregated list, every page).
    func instances() async throws -> [Instance] {
        let base = "\(self.gceProject)/aggregated/instances"
        var found: [Instance] = []
        var token: String?
        repeat {
            let url = base + (token.map { "?pageToken=\($0)" } ?? "")
            let object = try await self.json("GET", url, authorization: self.exports["DD_GCE_ACCESS_TOKEN"])
            for case let scope as [String: Any] in (object["items"] as? [String: Any] ?? [:]).values {
                for case let instance as [String: Any] in scope["instances"] as? [Any] ?? [] {
                    found.append(
                        Instance(
                            id: instance["id"].map { "\($0)" } ?? "",
                            name: instance["name"] as? String ?? "",
                            zone: (instance["zone"] as? String ?? "").split(separator: "/").last.map(String.init) ?? "",
                            labels: instance["labels"] as? [String: String] ?? [:]
                        )
                    )
                }
            }
            token = object["nextPageToken"] as? String
        } while token != nil
        return found.sorted { $0.name < $1.name }
    }

    /// The aggregated instance list as GCE answers it (labels, metadata and all), first page.
    func rawInstances() async throws -> String {
        let url = "\(self.gceProject)/aggregated/instances"
        let response = try await self.http.send(
            method: "GET",
            url: url,
            headers: [("Authorization", "Bearer \(self.exports["DD_GCE_ACCESS_TOKEN"] ?? "")")]
        )
        return String(decoding: response.body, as: UTF8.self)
    }

    /// A GET of one of the control plane's routes: the status and the body.
    func get(_ path: String, authorization: String? = nil) async throws -> (status: Int, body: String) {
        let response = try await self.http.send(method: "GET", url: self.url + path, headers: authorization.map { [("Authorization", $0)] } ?? [])
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// The instances of `environment` (and `pool`, if given), by their labels.
    func instances(environment: String, pool: String? = nil) async throws -> [Instance] {
        try await self.instances().filter { $0.labels["dd-env"] == environment && (pool == nil || $0.labels["dd-pool"] == pool) }
    }

    /// Deletes an instance behind the control plane's back and waits until GCE no longer has it.
    func delete(_ instance: Instance) async throws {
        let url = "\(self.gceProject)/zones/\(instance.zone)/instances/\(instance.name)"
        _ = try await self.json("DELETE", url, authorization: self.exports["DD_GCE_ACCESS_TOKEN"])
        // The daemon may recreate it under the same name at once: gone means this id is gone.
        try await Self.poll("GCE to delete \(instance.name)", timeout: .seconds(30)) {
            try await self.instances().contains { $0.id == instance.id } ? nil : true
        }
    }

    /// Takes the ownership comment off a DNS record, as if someone had made it by hand.
    func disown(record name: String) async throws {
        let base = "\(self.exports["DD_CLOUDFLARE_ENDPOINT"] ?? "")/zones/\(self.exports["DD_CF_ZONE_ID"] ?? "")/dns_records"
        let token = self.exports["DD_CF_API_TOKEN"]
        let list = try await self.json("GET", base + "?name=\(name)", authorization: token)
        guard let id = (list["result"] as? [[String: Any]])?.first?["id"] as? String else { throw Failure("no DNS record \(name)") }
        _ = try await self.json("PATCH", base + "/" + id, authorization: token, body: #"{"comment":"made by hand"}"#)
    }

    /// The emulator's request journal: the count per route and of mutating requests.
    func journal() async throws -> (mutating: Int, counts: [String: Int]) {
        let object = try await self.json("GET", (self.exports["DD_GCE_API_ENDPOINT"] ?? "") + "/_emulator/journal")
        return (object["mutating"] as? Int ?? -1, object["counts"] as? [String: Int] ?? [:])
    }

    /// Forgets the emulator's request journal.
    func resetJournal() async throws {
        _ = try await self.json("DELETE", (self.exports["DD_GCE_API_ENDPOINT"] ?? "") + "/_emulator/journal")
    }

    private func json(_ method: String, _ url: String, authorization: String? = nil, body: String? = nil) async throws -> [String: Any] {
        var headers = [("Content-Type", "application/json")]
        if let authorization { headers.append(("Authorization", "Bearer \(authorization)")) }
        let response = try await self.http.send(method: method, url: url, headers: headers, body: body.map { Array($0.utf8) })
        guard (200..<300).contains(response.status) else {
            throw Failure("\(method) \(url): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    // MARK: Polling

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Polls `probe` every 100 ms until it answers a value; throws after `timeout`.
    static func poll<T>(_ what: String, timeout: Duration, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Once more after the deadline: a test starved of threads may wake only after it.
        if let value = try await probe() { return value }
        throw Failure("timed out after \(timeout) waiting for \(what)")
    }
}
