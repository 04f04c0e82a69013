import CloudflareProvider
import ControlPlane
import Crypto
import Daemon
import Emulators
import Encoding
import Foundation
import Logging
import ProviderSupport
import Reconciler
import SourceVerification
import Spec

/// The GitOps daemon, three JSON lines:
/// - `daemon.latency`: the example fleet's production environment on the emulators, a real git
///   repository, the loop and the control plane's webhook route over HTTP; for each commit,
///   webhook POST → first mutating call at an emulator, and commit → converged.
/// - `daemon.idle` (one line per size): API calls of an idle pass over a converged fleet, against
///   the page minimum and a per-resource refresh, and the share of Cloudflare's budget.
/// - `daemon.memory`: the daemon's resident memory after pass 10 and the last pass over the
///   largest fleet, measured in a child process (`dd-bench daemon-child`) so that the emulators'
///   own state is not counted.
struct DaemonBenchmark {
    var quick = false
    /// The parts to run (`latency`, `idle`, `memory`); empty runs all three.
    var parts: Set<String> = []
    /// The example fleet (`DD_FLEET_EXAMPLE`, else `examples/fleet.yaml` from the working directory).
    var examplePath = ProcessInfo.processInfo.environment["DD_FLEET_EXAMPLE"] ?? "examples/fleet.yaml"

    var commits: Int { self.quick ? 5 : 20 }
    var idleSizes: [Int] { self.quick ? [200, 1_000] : [1_000, 10_000] }
    var idlePasses: Int { self.quick ? 3 : 5 }
    var memoryPasses: Int { self.quick ? 20 : 100 }

    static let webhookSecret = "dd-bench-webhook-secret"
    /// Argo CD's default `timeout.reconciliation`: it polls each application's repository every
    /// 180 s unless a webhook is configured.
    static let argoPollSeconds = 180
    /// Cloudflare's global limit (`shared/reference/cloud-apis.md`): 1200 requests per 5 minutes
    /// per user or account token.
    static let cloudflareBudget = (requests: 1_200, seconds: 300)
    /// The daemon's default resync interval (`--interval`).
    static let defaultInterval = 60

    func run() async throws {
        let all = self.parts.isEmpty
        if all || self.parts.contains("latency") { try await self.latency() }
        let idle = all || self.parts.contains("idle")
        let memory = all || self.parts.contains("memory")
        for (index, vms) in self.idleSizes.enumerated() {
            let largest = index == self.idleSizes.count - 1
            if idle || (memory && largest) { try await self.idle(vms: vms, report: idle, memory: memory && largest) }
        }
    }

    static var quietLogger: Logger { Logger(label: "bench.daemon") { _ in SwiftLogNoOpLogHandler() } }

    static func endpoints(_ server: EmulatorServer, base: String, repository: FleetRepository, state: String, real: Bool) throws -> DaemonEndpoints {
        guard let gce = server.gce, let cloudflare = server.cloudflare else { throw BenchmarkError(message: "emulators missing") }
        return DaemonEndpoints(
            baseURL: base,
            serviceAccountKey: try gce.serviceAccountKey(tokenURI: base + "/token").json,
            cloudflareAccountID: cloudflare.configuration.accountID,
            cloudflareZoneID: cloudflare.configuration.zoneID,
            cloudflareToken: cloudflare.configuration.tokens.first ?? "",
            repository: repository.origin,
            stateDirectory: repository.root + "/" + state,
            realRateLimits: real
        )
    }

    // MARK: (a) Latency

    /// A change to the example fleet, made again (with a new value) at every commit.
    struct Change: Sendable {
        var name: String
        var text: @Sendable (Int) -> String
    }

    func latency() async throws {
        guard let example = try? String(contentsOfFile: self.examplePath, encoding: .utf8) else {
            throw BenchmarkError(message: "cannot read \(self.examplePath): run from the repository's root or set DD_FLEET_EXAMPLE")
        }
        // The emulators with their defaults: Cloudflare's real limit, GCE operations 50 ms
        // pending + 150 ms running; the clients with the real limits too.
        let server = try EmulatorServer(cloudflare: .init(), gce: .init(project: "dd-prod"))
        let watch = MutationWatch()
        let (repository, first) = try await FleetRepository.create(fleet: example)
        defer { repository.remove() }
        let commits = self.commits
        let line = try await LoopbackServer.withRunning(watch.router(server)) { port in
            let base = "http://127.0.0.1:\(port)"
            let rig = try await DaemonRig.make(try Self.endpoints(server, base: base, repository: repository, state: "state", real: true))
            let routes = DaemonRoutes(
                environments: [rig.loop],
                source: rig.source.description,
                webhook: WebhookSignatureVerifier(secret: Self.webhookSecret),
                adminToken: nil,
                now: { Int64(Date().timeIntervalSince1970) }
            )
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let controlPlane = ControlPlaneServer(
                slot: RegistrationSlot<ContinuousClock>(),
                logger: Self.quietLogger,
                configuration: .init(host: "127.0.0.1", port: 0),
                daemon: routes
            ) { port in
                continuation.yield(port)
                continuation.finish()
            }
            return try await LoopbackServer.withRunning(service: controlPlane, ports: ports, logger: Self.quietLogger) { controlPort in
                try await rig.withRunning { rig in
                    let initial = try await rig.waitConverged(at: first, after: 0, limit: 12, wakeBetween: true)
                    let (change, candidates) = try await Self.chooseChange(example, rig: rig)
                    let http = HTTPTransport(timeout: .seconds(30))
                    var toMutation: [Duration] = []
                    var toConverged: [Duration] = []
                    var passesPerCommit: [Int] = []
                    var journalMutations: [Int] = []
                    var firstCalls: [String: Int] = [:]
                    for index in 1...commits {
                        let revision = try await repository.commit(change.text(index), message: "bench: \(change.name) #\(index)")
                        let committed = ContinuousClock.now
                        watch.reset()
                        server.journal.reset()
                        let before = rig.passes.count
                        let body = Array(#"{"ref":"refs/heads/main","after":"\#(revision.hex)"}"#.utf8)
                        let signature =
                            "sha256="
                            + Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(Self.webhookSecret.utf8))))
                        let posted = ContinuousClock.now
                        let response = try await http.send(
                            method: "POST",
                            url: "http://127.0.0.1:\(controlPort)/hooks/github",
                            headers: [
                                ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", "bench-\(index)-\(revision.short)"),
                                ("X-Hub-Signature-256", signature), ("Content-Type", "application/json"),
                            ],
                            body: body
                        )
                        guard response.status == 202 else {
                            throw BenchmarkError(
                                message: "the webhook answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
                            )
                        }
                        let mutation = try await Self.within(.seconds(120), "the first mutation of commit \(index)") { await watch.firstMutation() }
                        let converged = try await Self.within(.seconds(300), "convergence at commit \(index)") {
                            try await rig.waitConverged(at: revision, after: before, limit: 20, wakeBetween: false)
                        }
                        toMutation.append(posted.duration(to: mutation.at))
                        toConverged.append(committed.duration(to: converged.at))
                        passesPerCommit.append(converged.number - before)
                        journalMutations.append(server.journal.mutatingCount)
                        firstCalls["\(mutation.method) \(Self.template(mutation.path))", default: 0] += 1
                    }
                    let mutationP95 = Self.percentile(toMutation, 0.95)
                    let convergedP50 = Self.percentile(toConverged, 0.50)
                    let convergedP95 = Self.percentile(toConverged, 0.95)
                    return StructuredValue.object([
                        ("benchmark", .string("daemon.latency")),
                        ("fleet", .string("\(self.examplePath), environment production (\(initial.number) passes to converge it from empty)")),
                        ("commits", .integer(commits)),
                        ("dnsOnlyChangeExists", .boolean(candidates.contains { $0.dnsOnly })),
                        ("change", .string(change.name)),
                        ("candidates", .array(candidates.map(\.json))),
                        ("webhookToFirstMutationP50Ms", .string(SpecBenchmark.format(Self.percentile(toMutation, 0.50).milliseconds))),
                        ("webhookToFirstMutationP95Ms", .string(SpecBenchmark.format(mutationP95.milliseconds))),
                        ("commitToConvergedP50Ms", .string(SpecBenchmark.format(convergedP50.milliseconds))),
                        ("commitToConvergedP95Ms", .string(SpecBenchmark.format(convergedP95.milliseconds))),
                        ("commitToConvergedMaxMs", .string(SpecBenchmark.format((toConverged.max() ?? .zero).milliseconds))),
                        (
                            "daemonMetricCommitToConvergedP50Ms",
                            .string(SpecBenchmark.format(Self.percentile(Array(rig.passes.commitToConverged.suffix(commits)), 0.50).milliseconds))
                        ),
                        ("passesPerCommit", .array(passesPerCommit.map(StructuredValue.integer))),
                        ("mutatingCallsPerCommit", .array(journalMutations.map(StructuredValue.integer))),
                        ("firstMutatingCall", .object(firstCalls.sorted { $0.key < $1.key }.map { ($0.key, StructuredValue.integer($0.value)) })),
                        ("measuredFrom", .string("webhook: just before the POST is sent; commit: once git push has returned (branch head moved)")),
                        ("emulators", .string("GCE operations 50 ms pending + 150 ms running; Cloudflare and GCE at their real rate limits")),
                        ("goal", .string("webhookToFirstMutationP95Ms <= 3000, commitToConvergedP95Ms <= 10000")),
                        ("goalMet", .boolean(mutationP95 <= .seconds(3) && convergedP95 <= .seconds(10))),
                        ("peer", .string("Argo CD default repository poll (timeout.reconciliation = 180 s): a constant, not measured")),
                        ("peerSeconds", .integer(Self.argoPollSeconds)),
                        (
                            "ratioPeerOverCommitToConvergedP50",
                            .string(SpecBenchmark.format(Double(Self.argoPollSeconds) * 1000 / max(convergedP50.milliseconds, 0.001)))
                        ),
                    ])
                }
            }
        }
        print(line.json())
    }

    /// A candidate change, planned against the converged environment.
    struct Candidate: Sendable {
        var change: Change
        var actions: [String: Int]
        var refused: Bool
        var total: Int { self.actions.values.reduce(0, +) }
        var dnsOnly: Bool { self.total > 0 && self.actions.keys.allSatisfy { $0.hasPrefix("dns ") } }

        var json: StructuredValue {
            .object([
                ("change", .string(self.change.name)),
                ("plan", .object(self.actions.sorted { $0.key < $1.key }.map { ($0.key, StructuredValue.integer($0.value)) })),
                ("refused", .boolean(self.refused)),
            ])
        }
    }

    /// Plans each candidate (its first commit) against the converged world; picks a DNS-only one
    /// if any, else the one with the fewest actions.
    static func chooseChange(_ example: String, rig: DaemonRig) async throws -> (Change, [Candidate]) {
        let edits: [(String, String, @Sendable (Int) -> String)] = [
            (
                "workloads.hello-world.expose[0].hostname_label: hello → hello-N (renames the exposed hostname)",
                "hostname_label: hello\n", { "hostname_label: hello-\($0)\n" }
            ),
            ("workloads.hello-world.expose[0].port: 9000 → 9000+N", "        port: 9000\n", { "        port: \(9000 + $0)\n" }),
            (
                "environments.production.hostname: app.{domain} → app-N.{domain}", "    hostname: app.{domain}\n",
                { "    hostname: app-\($0).{domain}\n" }
            ),
            ("environments.production.pools[web].count: 3 → 3+N", "        count: 3\n", { "        count: \(3 + $0)\n" }),
            (
                "environments.production.pools[batch].count: 2 → 2+N (one more batch VM per commit)",
                "        count: 2\n        workloads: [report-builder]\n", { "        count: \(2 + $0)\n        workloads: [report-builder]\n" }
            ),
        ]
        var candidates: [Candidate] = []
        for (name, original, replacement) in edits where example.contains(original) {
            let change = Change(name: name) { index in example.replacingOccurrences(of: original, with: replacement(index)) }
            let target = try rig.loader.target(change.text(1))
            guard case .planned(let plan, _, _) = await rig.cycle(target).plan(settings: rig.settings) else {
                throw BenchmarkError(message: "a source was unreadable while planning '\(name)'")
            }
            let actions = plan.actions.reduce(into: [String: Int]()) { $0["\($1.resource.rawValue) \($1.operation.rawValue)", default: 0] += 1 }
            candidates.append(Candidate(change: change, actions: actions, refused: plan.isRefused))
        }
        let usable = candidates.filter { $0.total > 0 && !$0.refused }
        guard let chosen = usable.first(where: \.dnsOnly) ?? usable.min(by: { $0.total < $1.total }) else {
            throw BenchmarkError(message: "no candidate change plans anything")
        }
        return (chosen.change, candidates)
    }

    /// A request path with ids and names replaced by placeholders.
    static func template(_ path: String) -> String {
        let parts = path.split(separator: "/")
        var out: [String] = []
        for (index, part) in parts.enumerated() {
            let previous = index > 0 ? String(parts[index - 1]) : ""
            switch previous {
            case "projects", "zones", "instances", "operations", "accounts", "cfd_tunnel", "dns_records": out.append(":" + previous)
            default: out.append(String(part))
            }
        }
        return "/" + out.joined(separator: "/")
    }

    // MARK: (b) Idle passes, (c) memory

    /// Seeds a converged fleet of `vms`; reports its idle passes when `report`, then the
    /// daemon's memory over it when `memory`.
    func idle(vms: Int, report: Bool, memory: Bool) async throws {
        let text = ReconcileBenchmark.fleetYAML(vms: vms)
        let target = try BenchmarkSpecLoader(environment: "production", file: "fleet.yaml").target(text)
        let unlimited = EmulatedRateLimit(requests: 100_000_000, per: .seconds(1))
        let server = try EmulatorServer(
            cloudflare: .init(rateLimit: unlimited),
            gce: .init(project: "bench-project", pendingDuration: .zero, runningDuration: .zero, requestsPerMinute: 100_000_000)
        )
        guard let cloudflare = server.cloudflare else { throw BenchmarkError(message: "emulators missing") }
        let (repository, _) = try await FleetRepository.create(fleet: text)
        defer { repository.remove() }
        let idlePasses = self.idlePasses
        let memoryPasses = self.memoryPasses
        let lines = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            let seeder = CloudflareClient(
                accountID: cloudflare.configuration.accountID,
                zoneID: cloudflare.configuration.zoneID,
                token: cloudflare.configuration.tokens.first ?? "",
                baseURL: base + "/client/v4",
                clock: ContinuousClock(),
                limit: .init(requests: 1_000_000, per: .seconds(1))
            )
            let seedStart = ContinuousClock.now
            let counts = try await ConvergedFleetSeeder.seed(target.desired, server: server, edge: seeder)
            let seedTime = seedStart.duration(to: .now)
            server.journal.reset()
            let endpoints = try Self.endpoints(server, base: base, repository: repository, state: "state", real: false)
            let rig = try await DaemonRig.make(endpoints)
            let measured = try await rig.withRunning { rig in
                let first = await rig.passes.pass(after: 0)
                guard first.result == "converged" else {
                    let status = await rig.loop.status()
                    throw BenchmarkError(message: "the seeded fleet is not converged: \(DaemonRig.describe(status))")
                }
                let firstPass = server.journal.all
                var passes: [(PassCounter.Pass, [RequestJournal.Entry])] = []
                for _ in 0..<idlePasses {
                    server.journal.reset()
                    let pass = await rig.idlePass()
                    passes.append((pass, server.journal.all))
                }
                return (first, firstPass, passes)
            }
            var lines = report ? [Self.idleLine(vms: vms, counts: counts, seedTime: seedTime, measured: measured)] : []
            if memory {
                server.journal.reset()
                lines.append(try await Self.memory(endpoints: endpoints, vms: counts.vms, passes: memoryPasses, journal: server.journal))
            }
            return lines
        }
        for line in lines { print(line.json()) }
    }

    static func idleLine(
        vms: Int,
        counts: ConvergedFleetSeeder.Counts,
        seedTime: Duration,
        measured: (PassCounter.Pass, [RequestJournal.Entry], [(PassCounter.Pass, [RequestJournal.Entry])])
    ) -> StructuredValue {
        let (first, firstEntries, passes) = measured
        let perPass = passes.map(\.1.count)
        let cloudflarePerPass = passes.map { $0.1.filter { $0.route.hasPrefix("cloudflare ") }.count }
        let gcePerPass = passes.map { $0.1.filter { $0.route.hasPrefix("gce ") }.count }
        let ingressReads = passes.map { $0.1.filter { $0.route == "cloudflare tunnels.getConfiguration" }.count }
        let mutations = passes.map { entries in entries.1.filter { MutationWatch.isMutatingRoute($0) }.count }
        let last = passes.last?.1 ?? []
        let routes = last.reduce(into: [String: Int]()) { $0[$1.route, default: 0] += 1 }
        // The floor: one call per page of each list at the largest page size each API allows
        // (GCE 500 instances, Cloudflare 1000 tunnels, 5,000,000 records), plus the ingress
        // configurations the observer reads this pass (at most its budget: Cloudflare has no
        // bulk read of configurations).
        let pages = (counts.vms + 499) / 500 + (counts.tunnels + 999) / 1000 + max(1, (counts.records + 4_999_999) / 5_000_000)
        let budget = DaemonEndpoints.daemonIngressChecks
        let ingressFloor = min(budget, counts.tunnels)
        let refresh = counts.vms + counts.tunnels + counts.tunnels + counts.records
        let cloudflareMedian = Self.median(cloudflarePerPass)
        let passesPerWindow = Self.cloudflareBudget.seconds / Self.defaultInterval
        let share = Double(cloudflareMedian * passesPerWindow) / Double(Self.cloudflareBudget.requests)
        let allowedPerPass = Self.cloudflareBudget.requests / 10 / passesPerWindow
        return StructuredValue.object([
            ("benchmark", .string("daemon.idle")),
            ("vms", .integer(counts.vms)), ("tunnels", .integer(counts.tunnels)), ("dnsRecords", .integer(counts.records)),
            ("seedSeconds", .string(SpecBenchmark.format(seedTime.milliseconds / 1000))),
            ("idlePasses", .integer(passes.count)),
            ("apiCallsPerPass", .array(perPass.map(StructuredValue.integer))),
            ("gceCallsPerPass", .integer(Self.median(gcePerPass))),
            ("cloudflareCallsPerPass", .integer(cloudflareMedian)),
            ("ingressConfigurationsReadPerPass", .integer(Self.median(ingressReads))),
            ("mutatingCallsPerPass", .array(mutations.map(StructuredValue.integer))),
            ("routesLastPass", .object(routes.sorted { $0.key < $1.key }.map { ($0.key, StructuredValue.integer($0.value)) })),
            ("passMsMedian", .string(SpecBenchmark.format(Self.percentile(passes.map(\.0.duration), 0.5).milliseconds))),
            (
                "firstPass",
                .string("\(first.result), \(firstEntries.count) calls (cold ingress cache), \(SpecBenchmark.format(first.duration.milliseconds)) ms")
            ),
            ("pageMinimumCalls", .integer(pages)),
            ("ingressReadBudget", .integer(budget)),
            ("pageMinimumPlusIngressReads", .integer(pages + ingressFloor)),
            (
                "peer",
                .string(
                    "per-resource refresh, one GET per VM, tunnel, tunnel configuration and DNS record (Terraform-style): computed from the seeded fleet, not measured"
                )
            ),
            ("peerCallsPerPass", .integer(refresh)),
            ("ratioPeerOverOurs", .string(SpecBenchmark.format(Double(refresh) / Double(max(Self.median(perPass), 1))))),
            ("cloudflareBudget", .string("1200 requests / 300 s per token; \(passesPerWindow) idle passes per window at the default 60 s interval")),
            ("cloudflareBudgetShare", .string(SpecBenchmark.format(share * 100) + " %")),
            ("cloudflareCallsPerPassAllowedAt10Percent", .integer(allowedPerPass)),
            ("clientRateLimits", .string("lifted for this run (the real 1200 / 300 s limiter would pace these passes at 4 calls/s)")),
            ("goal", .string("mutatingCallsPerPass == 0, cloudflareBudgetShare <= 10 %")),
            ("goalMet", .boolean(mutations.allSatisfy { $0 == 0 } && share <= 0.10)),
        ])
    }

    /// Runs the daemon in a child process against these emulators for `passes` idle passes.
    static func memory(endpoints: DaemonEndpoints, vms: Int, passes: Int, journal: RequestJournal) async throws -> StructuredValue {
        var child = endpoints
        child.stateDirectory = endpoints.stateDirectory + "-memory"
        let configuration = MemoryChild.Configuration(endpoints: child, passes: passes, samples: [1, 10, passes])
        let file = endpoints.stateDirectory + "-memory.json"
        try JSONEncoder().encode(configuration).write(to: URL(fileURLWithPath: file))
        let started = ContinuousClock.now
        let output = try await MemoryChild.spawn(configurationFile: file)
        let elapsed = started.duration(to: .now)
        guard let data = output.split(separator: "\n").last.map({ Data($0.utf8) }),
            let report = try? JSONDecoder().decode(MemoryChild.Report.self, from: data)
        else { throw BenchmarkError(message: "daemon-child printed: \(output)") }
        let rss = Dictionary(report.samples.map { ($0.pass, $0) }, uniquingKeysWith: { first, _ in first })
        let at10 = rss[10]?.rssKB ?? -1
        let atLast = rss[passes]?.rssKB ?? -1
        let mutations = journal.all.filter { MutationWatch.isMutatingRoute($0) }.count
        return StructuredValue.object([
            ("benchmark", .string("daemon.memory")),
            ("vms", .integer(vms)),
            ("passes", .integer(passes)),
            ("results", .object(report.results.sorted { $0.key < $1.key }.map { ($0.key, StructuredValue.integer($0.value)) })),
            ("rssAfterPass1MB", .string(SpecBenchmark.format(Double(rss[1]?.rssKB ?? -1) / 1024))),
            ("rssAfterPass10MB", .string(SpecBenchmark.format(Double(at10) / 1024))),
            ("rssAfterPass\(passes)MB", .string(SpecBenchmark.format(Double(atLast) / 1024))),
            ("rssGrowthPass10To\(passes)MB", .string(SpecBenchmark.format(Double(atLast - at10) / 1024))),
            ("peakRSSMB", .string(SpecBenchmark.format(Double(report.peakKB) / 1024))),
            ("passMsMedian", .string(SpecBenchmark.format(report.passMsMedian))),
            ("apiCallsTotal", .integer(journal.all.count)),
            ("mutatingCalls", .integer(mutations)),
            ("wallSeconds", .string(SpecBenchmark.format(elapsed.milliseconds / 1000))),
            (
                "process",
                .string("the daemon alone (git source, loop, cycle, SQLite journal, clients) in a child process; the emulators in the parent")
            ),
            ("goal", .string("rssAfterPass\(passes)MB <= 150, flat from pass 10")),
            ("goalMet", .boolean(atLast <= 150 * 1024 && atLast - at10 <= 5 * 1024)),
        ])
    }

    // MARK: Helpers

    static func percentile(_ values: [Duration], _ p: Double) -> Duration {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .zero }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    static func median(_ values: [Int]) -> Int {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2]
    }

    /// `body`; if `limit` passes first, the benchmark stops with an error naming `what` (a guard
    /// against a hang, not a synchronisation: the waits it guards do not end on cancellation).
    static func within<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let guardTask = Task {
            try await Task.sleep(for: limit)
            FileHandle.standardError.write(Data("dd-bench: error: timed out after \(limit) waiting for \(what)\n".utf8))
            exit(1)
        }
        defer { guardTask.cancel() }
        return try await body()
    }
}

extension MutationWatch {
    /// The journal's rule for an entry (`RequestJournal.mutatingCount`).
    static func isMutatingRoute(_ entry: RequestJournal.Entry) -> Bool {
        entry.method != "GET" && entry.method != "HEAD" && !RequestJournal.readOnlyRoutes.contains(entry.route)
    }
}
