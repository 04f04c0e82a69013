import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import Spec

#if canImport(Glibc)
import Glibc
#endif

/// The reconciler's benchmarks, one JSON line each:
/// - `reconcile.plan10k`: plan a 10,000-VM fleet (half converged, drift sprinkled in) against
///   the time merely to decode the same observed JSON with the clients' own models; peak memory.
/// - `reconcile.converge1k`: converge 1,000 VMs from empty against the emulators with Cloudflare's
///   real limit (1200 requests / 300 s) on a compressed clock: API calls against the minimum, 429s.
struct ReconcileBenchmark {
    var vms = 10_000
    var convergeVMs = 1_000
    var clockSpeed = 100

    func run(_ selected: Set<String>) async throws {
        if selected.isEmpty || selected.contains("plan") { try self.plan10k() }
        if selected.isEmpty || selected.contains("converge") { try await self.converge1k() }
    }

    // MARK: Plan 10k

    /// Writes the observed JSON to files, then measures in a child process (`dd-bench
    /// plan-child DIR`), so that the peak memory reported is planning's own, not the generator's.
    func plan10k() throws {
        let desired = try Self.desired(vms: self.vms)
        let documents = try Self.observedJSON(desired)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-bench-plan-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try documents.instances.write(to: directory.appendingPathComponent("instances.json"))
        try documents.tunnels.write(to: directory.appendingPathComponent("tunnels.json"))
        try documents.records.write(to: directory.appendingPathComponent("records.json"))
        var configurations = Data()
        for (id, document) in zip(documents.configurationTunnels, documents.configurations) {
            configurations += Data((id + " ").utf8) + document + Data("\n".utf8)
        }
        try configurations.write(to: directory.appendingPathComponent("configurations.jsonl"))
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        child.arguments = ["plan-child", directory.path, String(self.vms)]
        try child.run()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { throw BenchmarkError(message: "plan-child exited \(child.terminationStatus)") }
    }

    static func reportRSS(_ label: String) {
        let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
        let pages = Int(statm.split(separator: " ").dropFirst().first ?? "0") ?? 0
        FileHandle.standardError.write(Data("\(label): \(pages * 4096 / 1_048_576) MB (peak \(Self.peakResidentMegabytes()) MB)\n".utf8))
    }

    /// The process's peak resident set (`VmHWM`; unlike `ru_maxrss`, it starts afresh at exec).
    static func peakResidentMegabytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// The measurement: decode the API responses with the clients' own models, map them to the
    /// observed state, plan; medians of five runs; the process's peak resident memory after the
    /// first (what one `plan` of this fleet costs, the JSON responses included).
    static func planChild(directory: String, vms: Int) throws {
        let desired = try Self.desired(vms: vms)
        if ProcessInfo.processInfo.environment["DD_BENCH_RSS"] != nil { Self.reportRSS("desired") }
        let read = { (name: String) throws -> Data in try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name)) }
        let instancesJSON = try read("instances.json")
        let tunnelsJSON = try read("tunnels.json")
        let recordsJSON = try read("records.json")
        var configurationTunnels: [String] = []
        var configurationJSON: [Data] = []
        for line in try read("configurations.jsonl").split(separator: UInt8(ascii: "\n")) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            configurationTunnels.append(String(decoding: line[line.startIndex..<space], as: UTF8.self))
            configurationJSON.append(Data(line[line.index(after: space)...]))
        }
        let totalBytes = instancesJSON.count + tunnelsJSON.count + recordsJSON.count + configurationJSON.reduce(0) { $0 + $1.count }
        var decode: [Double] = []
        var map: [Double] = []
        var plan: [Double] = []
        var result: Plan?
        var peakAfterFirstPlan = 0
        let marks = OwnershipMarks(fleet: desired.fleet, prefix: "dd")
        /// Decodes and maps in its own scope, so the decoded models are gone before planning
        /// (as in `devopsdefender plan`, where each source's list becomes observed state).
        func observe() throws -> ObservedState {
            var start = ContinuousClock.now
            let decoder = JSONDecoder()
            let instances = try decoder.decode(GCEAggregatedInstanceList.self, from: instancesJSON)
            let tunnels = try decoder.decode(CloudflareEnvelope<[CloudflareTunnel]>.self, from: tunnelsJSON)
            let records = try decoder.decode(CloudflareEnvelope<[DNSRecord]>.self, from: recordsJSON)
            let configurations = try configurationJSON.map { try decoder.decode(CloudflareEnvelope<TunnelConfiguration>.self, from: $0) }
            decode.append(start.duration(to: .now).seconds)

            start = ContinuousClock.now
            var observed = ObservedState(sources: SourceStatus.allComplete, observedAt: 1)
            for (scope, list) in instances.items ?? [:] {
                observed.vms += (list.instances ?? []).map { GCEComputeAdapter<ContinuousClock>.observed($0, zone: scope) }
            }
            observed.tunnels = (tunnels.result ?? []).map(CloudflareFleetAdapter<ContinuousClock>.observed)
            let ingress = Dictionary(
                zip(configurationTunnels, configurations.map { $0.result.map(CloudflareFleetAdapter<ContinuousClock>.ingress) ?? [] }),
                uniquingKeysWith: { first, _ in first }
            )
            for index in observed.tunnels.indices { observed.tunnels[index].ingress = ingress[observed.tunnels[index].id] }
            observed.dnsRecords = (records.result ?? []).map(CloudflareFleetAdapter<ContinuousClock>.observed)
            map.append(start.duration(to: .now).seconds)
            return observed
        }
        for iteration in 0..<5 {
            let observed = try observe()
            result = nil
            if ProcessInfo.processInfo.environment["DD_BENCH_RSS"] != nil { Self.reportRSS("before plan") }
            let start = ContinuousClock.now
            var options = PlannerOptions()
            options.now = 1
            options.maxDeleteFraction = 1
            result = Planner.plan(desired: desired, observed: observed, marks: marks, options: options)
            plan.append(start.duration(to: .now).seconds)
            if iteration == 0 { peakAfterFirstPlan = Self.peakResidentMegabytes() }
        }
        if ProcessInfo.processInfo.environment["DD_BENCH_RSS"] != nil { Self.reportRSS("after") }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        let summary = result?.summary ?? Plan.Summary()
        let line = StructuredValue.object([
            ("benchmark", .string("reconcile.plan10k")),
            ("vms", .integer(desired.allVMs.count)),
            ("observedBytes", .integer(totalBytes)),
            ("plan", .object([("create", .integer(summary.create)), ("update", .integer(summary.update)), ("delete", .integer(summary.delete))])),
            ("planMilliseconds", .string(String(format: "%.1f", median(plan) * 1000))),
            ("decodeMilliseconds", .string(String(format: "%.1f", median(decode) * 1000))),
            ("mapMilliseconds", .string(String(format: "%.1f", median(map) * 1000))),
            ("planOverDecode", .string(String(format: "%.2f", median(plan) / median(decode)))),
            ("goal", .string("planOverDecode <= 1.2, peakRSSMB <= 150")),
            ("peakRSSMB", .integer(peakAfterFirstPlan)),
        ])
        print(line.json())
    }

    /// A fleet file with one environment: a control plane and pools of 500 VMs.
    static func fleetYAML(vms: Int) -> String {
        var text = FleetGenerator(environments: 0, workloads: 0, zones: ["us-central1-a", "us-central1-c"]).header()
        text += """
              production:
                hostname: app.{domain}
                release: {repo: devopsdefender/dd, asset: devopsdefender, tag: v1.0.0}
                controlPlane: {machineType: c3-standard-4}
                pools:

            """
        var remaining = vms - 1
        var index = 0
        while remaining > 0 {
            let count = min(remaining, 500)
            text += "      - {name: p\(index), count: \(count), workloads: [app]}\n"
            remaining -= count
            index += 1
        }
        text += """
            workloads:
              app:
                github_release: {repo: bench-org/app, asset: app-linux-amd64, tag: v1.0.0}
                cmd: [app, --port, "9000"]
                env: [LOG_LEVEL=info]

            """
        return text
    }

    static func desired(vms: Int) throws -> DesiredState {
        let result = FleetSpecLoader.load(Array(self.fleetYAML(vms: vms).utf8), file: "bench.yaml")
        guard let fleet = result.fleet else { throw BenchmarkError(message: "the generated fleet is invalid: \(result.diagnostics)") }
        var diagnostics = DiagnosticCollector(file: "bench.yaml")
        guard let desired = FleetExpander.expand(fleet, diagnostics: &diagnostics) else { throw BenchmarkError(message: "cannot expand") }
        return desired
    }

    struct ObservedDocuments {
        var instances: Data
        var tunnels: Data
        var records: Data
        var configurations: [Data]
        var configurationTunnels: [String]
        var totalBytes: Int { self.instances.count + self.tunnels.count + self.records.count + self.configurations.reduce(0) { $0 + $1.count } }
    }

    /// The API responses for a world where every even VM is converged, with drift: every 50th
    /// converged VM has a managed label changed, every 40th record points elsewhere, every 60th tunnel
    /// has lost its ingress, and 100 VMs of a removed pool linger with their tunnels and records.
    static func observedJSON(_ desired: DesiredState) throws -> ObservedDocuments {
        var zones: [String: [[String: Any]]] = [:]
        var tunnels: [[String: Any]] = []
        var records: [[String: Any]] = []
        var configurations: [Data] = []
        var configurationTunnels: [String] = []
        let environment = desired.environments[0]
        var converged: [(DesiredVM, DesiredTunnel)] = []
        for (index, pair) in zip(environment.vms, environment.tunnels).enumerated() where index % 2 == 0 { converged.append(pair) }
        var orphans: [(DesiredVM, DesiredTunnel)] = []
        for index in 0..<100 {
            var vm = environment.vms[1]
            vm.name = "dd-production-gone-\(index)-0badcafe"
            vm.labels["dd-pool"] = "gone"
            var tunnel = environment.tunnels[1]
            tunnel.name = vm.name
            tunnel.ingress = [IngressRule(hostname: "\(vm.name).bench.example", service: "http://localhost:8080"), .catchAll]
            orphans.append((vm, tunnel))
        }
        for (index, (vm, tunnel)) in (converged + orphans).enumerated() {
            var labels = vm.labels
            if index % 50 == 7 { labels["team"] = "someone" }  // a label the spec manages
            zones["zones/\(vm.zone)", default: []].append([
                "kind": "compute#instance", "id": String(1_000_000 + index), "name": vm.name,
                "zone": "https://www.googleapis.com/compute/v1/projects/bench-project/zones/\(vm.zone)",
                "machineType": "https://www.googleapis.com/compute/v1/projects/bench-project/zones/\(vm.zone)/machineTypes/\(vm.machineType)",
                "status": "RUNNING", "labels": labels, "labelFingerprint": "42WmSpB8rSM=",
                "metadata": [
                    "kind": "compute#metadata", "fingerprint": "6Xh4yWGYc2s=", "items": [["key": "ee-config", "value": vm.eeConfig.metadataValue]],
                ],
                "creationTimestamp": "2026-11-20T10:00:00.000-08:00",
                "selfLink": "https://www.googleapis.com/compute/v1/projects/bench-project/zones/\(vm.zone)/instances/\(vm.name)",
                "confidentialInstanceConfig": ["confidentialInstanceType": "TDX"],
                "scheduling": ["onHostMaintenance": "TERMINATE", "automaticRestart": true],
            ])
            let id = String(format: "%08x-0000-4000-8000-%012x", index, index)
            tunnels.append([
                "id": id, "account_tag": "0123456789abcdef0123456789abcdef", "name": tunnel.name, "created_at": "2026-11-20T18:00:00Z",
                "deleted_at": NSNull(), "status": "healthy", "tun_type": "cfd_tunnel", "remote_config": true, "config_src": "cloudflare",
            ])
            let ingress = (index % 60 == 11 ? [IngressRule.catchAll] : tunnel.ingress).map { rule -> [String: Any] in
                var object: [String: Any] = ["service": rule.service, "originRequest": [String: Any]()]
                if let hostname = rule.hostname { object["hostname"] = hostname }
                return object
            }
            configurations.append(
                try JSONSerialization.data(withJSONObject: [
                    "success": true, "errors": [], "messages": [],
                    "result": [
                        "tunnel_id": id, "version": 1, "config": ["ingress": ingress], "source": "cloudflare", "created_at": "2026-11-20T18:00:01Z",
                    ],
                ])
            )
            configurationTunnels.append(id)
            for record in environment.dnsRecords
            where record.tunnel == tunnel.name || (index >= converged.count && record.tunnel == environment.tunnels[1].name) {
                let name = index >= converged.count ? "\(vm.name).bench.example" : record.name
                records.append([
                    "id": String(format: "%032x", records.count), "zone_id": "fedcba9876543210fedcba9876543210", "zone_name": "bench.example",
                    "name": name, "type": "CNAME", "content": index % 40 == 3 ? "elsewhere.example.net" : "\(id).cfargotunnel.com",
                    "proxied": true, "proxiable": true, "ttl": 1, "comment": record.comment, "tags": [],
                    "created_on": "2026-11-20T18:00:02Z", "modified_on": "2026-11-20T18:00:02Z",
                ])
            }
        }
        let envelope = { (result: Any) throws -> Data in
            try JSONSerialization.data(withJSONObject: [
                "success": true, "errors": [], "messages": [], "result": result,
                "result_info": [
                    "page": 1, "per_page": 5_000_000, "count": (result as? [Any])?.count ?? 0, "total_count": (result as? [Any])?.count ?? 0,
                ],
            ])
        }
        return ObservedDocuments(
            instances: try JSONSerialization.data(withJSONObject: [
                "kind": "compute#instanceAggregatedList", "id": "projects/bench-project/aggregated/instances",
                "items": zones.mapValues { ["instances": $0] },
            ]),
            tunnels: try envelope(tunnels),
            records: try envelope(records),
            configurations: configurations,
            configurationTunnels: configurationTunnels
        )
    }

    // MARK: Converge 1k

    func converge1k() async throws {
        let desired = try Self.desired(vms: self.convergeVMs)
        let emulatorClock = EmulatorClock(speed: self.clockSpeed)
        let server = try EmulatorServer(cloudflare: .init(), gce: .init(project: "bench-project"), clock: emulatorClock)
        guard let gce = server.gce, let cloudflare = server.cloudflare else { throw BenchmarkError(message: "emulators missing") }
        let line = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            let clock = CompressedClock(emulator: emulatorClock)
            let transport = HTTPTransport()
            let compute = GCEClient(
                project: "bench-project",
                authorization: try ServiceAccountTokenProvider(
                    key: ServiceAccountKey.decode(gce.serviceAccountKey(tokenURI: base + "/token").json),
                    transport: transport
                ),
                baseURL: base + "/compute/v1",
                transport: transport,
                clock: clock
            )
            let edge = CloudflareClient(
                accountID: cloudflare.configuration.accountID,
                zoneID: cloudflare.configuration.zoneID,
                token: cloudflare.configuration.tokens.first ?? "",
                baseURL: base + "/client/v4",
                transport: transport,
                clock: clock
            )
            let gceAdapter = GCEComputeAdapter(client: compute)
            let cloudflareAdapter = CloudflareFleetAdapter(client: edge)
            let marks = OwnershipMarks(fleet: desired.fleet, prefix: "dd")
            let started = ContinuousClock.now
            let emulatedStart = emulatorClock.now
            let observed = await Observer(compute: gceAdapter, tunnels: cloudflareAdapter, dns: cloudflareAdapter)
                .observe(marks: marks, ingressFor: [], now: 1)
            var options = PlannerOptions()
            options.now = 1
            let plan = Planner.plan(desired: desired, observed: observed, marks: marks, options: options)
            var configuration = ExecutorConfiguration()
            configuration.maxConcurrency = 32
            let report = await Executor(
                compute: gceAdapter,
                tunnels: cloudflareAdapter,
                dns: cloudflareAdapter,
                journal: MemoryJournal(),
                clock: clock,
                now: { 1 },
                configuration: configuration
            ).apply(plan, observed: observed)
            let wall = started.duration(to: .now).seconds
            let emulated = (emulatorClock.now - emulatedStart).seconds
            let cloudflareCalls = edge.rest.metrics.totalRequests
            let gceCalls = compute.rest.metrics.totalRequests
            let records = desired.environments.flatMap(\.dnsRecords).count
            // Observation: one page per list; apply: every create plus one operation wait per insert.
            let minimumCloudflare = 2 + 2 * desired.allVMs.count + records
            let minimumGCE = 1 + 2 * desired.allVMs.count
            let throttled = server.journal.all.filter { $0.status == 429 }.count
            return StructuredValue.object([
                ("benchmark", .string("reconcile.converge1k")),
                ("vms", .integer(desired.allVMs.count)),
                ("actions", .integer(plan.actions.count)),
                ("succeeded", .boolean(report.succeeded)),
                ("failed", .integer(report.failed.count)),
                ("firstFailure", .optional(report.failed.sorted { $0.key < $1.key }.first.map { "\($0.key): \($0.value)" })),
                ("cloudflareCalls", .integer(cloudflareCalls)),
                ("cloudflareMinimum", .integer(minimumCloudflare)),
                ("gceCalls", .integer(gceCalls)),
                ("gceMinimum", .integer(minimumGCE)),
                ("callsOverMinimum", .string(String(format: "%.3f", Double(cloudflareCalls + gceCalls) / Double(minimumCloudflare + minimumGCE)))),
                ("http429", .integer(throttled)),
                ("cloudflareLimit", .string("1200 per 300 s")),
                ("emulatedSeconds", .integer(Int(emulated))),
                // The floor: the client keeps a 1% burst headroom (1188 of 1200), then 4 calls/s.
                ("floorSeconds", .integer(max(0, (minimumCloudflare - 1188) * 300 / 1200))),
                ("clockSpeed", .integer(self.clockSpeed)),
                ("wallSeconds", .string(String(format: "%.1f", wall))),
            ])
        }
        print(line.json())
    }
}

/// A clock sharing the emulator's compressed time base: `speed` emulated seconds per real one.
struct CompressedClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: self.offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - self.offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    let emulator: EmulatorClock

    var now: Instant { Instant(offset: self.emulator.now) }
    var minimumResolution: Duration { .microseconds(1) }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let remaining = self.now.duration(to: deadline)
        if remaining > .zero { try await Task.sleep(for: remaining / self.emulator.speed) }
    }
}
