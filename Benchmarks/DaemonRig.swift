import CloudflareProvider
import ControlPlane
import Crypto
import Daemon
import Encoding
import FleetSource
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import SQLiteStore
import Spec

/// Where a benchmark daemon finds the clouds (the emulators) and the fleet repository.
struct DaemonEndpoints: Sendable, Codable {
    /// The emulators' base URL (`http://127.0.0.1:PORT`).
    var baseURL: String
    /// The GCE service-account key file's JSON (its token URI is the emulator's).
    var serviceAccountKey: Data
    var cloudflareAccountID: String
    var cloudflareZoneID: String
    var cloudflareToken: String
    /// The bare repository to follow.
    var repository: String
    /// The daemon's state directory (the libgit2 cache and the SQLite journal).
    var stateDirectory: String
    /// The environment the control plane reconciles.
    var environment = "production"
    /// The clients' rate limits: the real ones (1200 / 300 s Cloudflare, 1500 / min per GCE
    /// group) or none, for the idle-pass and memory runs whose passes the real Cloudflare limit
    /// would pace to 4 calls a second.
    var realRateLimits: Bool
    /// The observer's configuration budget: the CLI daemon's default at a 60 s interval.
    var ingressChecks = Self.daemonIngressChecks
    /// `DaemonOptions.ingressChecksPerPass` at the default interval: 10 % of Cloudflare's 1,200
    /// requests per 300 s over 60 s (24 calls), less 12 for list pages.
    static let daemonIngressChecks = max(1, Int(60.0 * 1_200 / 300 * 0.10) - 12)
}

/// The daemon as `devopsdefender control-plane --repo … --env …` wires it
/// (`Sources/CLI/ControlPlaneCommand+Daemon.swift`, `ControlPlaneRuntime.swift`,
/// `FleetSession.cycle`, `FleetRevisionLoader`), rebuilt here because those live in the CLI
/// executable: a `GitSourceLibGit2` under `GitDesiredState`, an `EnvironmentLoop` on
/// `ContinuousClock` whose pass is a `CyclePass` over the GCE and Cloudflare clients (one shared
/// HTTP transport), the SQLite journal as revision store and ingress cache, and the agent
/// registry. Its metrics go to a ``PassCounter``.
struct DaemonRig: Sendable {
    let loop: EnvironmentLoop<ContinuousClock>
    let passes: PassCounter
    let source: GitDesiredState
    let loader: BenchmarkSpecLoader
    let settings: ReconcileSettings
    let compute: GCEComputeAdapter<ContinuousClock>
    let edge: CloudflareFleetAdapter<ContinuousClock>
    let journal: SQLiteJournal
    let agents: AgentRegistry<ContinuousClock>
    let endpoints: DaemonEndpoints

    static func make(_ endpoints: DaemonEndpoints, resyncInterval: Duration = .seconds(600)) async throws -> DaemonRig {
        let transport = HTTPTransport()
        let unlimited = RateLimit(requests: 1_000_000, per: .seconds(1))
        let key = try ServiceAccountKey.decode(endpoints.serviceAccountKey)
        let gce = GCEClient(
            project: key.projectID ?? "",
            authorization: try ServiceAccountTokenProvider(key: key, transport: transport),
            baseURL: endpoints.baseURL + "/compute/v1",
            transport: transport,
            clock: ContinuousClock(),
            limit: endpoints.realRateLimits ? .gcePerMinute : unlimited
        )
        let cloudflare = CloudflareClient(
            accountID: endpoints.cloudflareAccountID,
            zoneID: endpoints.cloudflareZoneID,
            token: endpoints.cloudflareToken,
            baseURL: endpoints.baseURL + "/client/v4",
            transport: transport,
            clock: ContinuousClock(),
            limit: endpoints.realRateLimits ? .cloudflare : unlimited
        )
        let compute = GCEComputeAdapter(client: gce)
        let edge = CloudflareFleetAdapter(client: cloudflare)
        try FileManager.default.createDirectory(atPath: endpoints.stateDirectory, withIntermediateDirectories: true)
        let journal = try await SQLiteJournal(path: endpoints.stateDirectory + "/journal.sqlite", writer: .reconciler)
        let git = try GitSourceLibGit2(
            configuration: .init(url: endpoints.repository, cacheDirectory: endpoints.stateDirectory + "/repository", branch: "main")
        )
        let loader = BenchmarkSpecLoader(environment: endpoints.environment, file: "fleet.yaml")
        let source = GitDesiredState(
            git: git,
            description: SourceDescription(url: endpoints.repository, branch: "main", path: "fleet.yaml"),
            verifier: nil,
            loader: loader.loader
        )
        let agents = AgentRegistry(clock: ContinuousClock(), wallClock: { Int64(Date().timeIntervalSince1970) })
        // As DaemonOptions.settings, with the scope ControlPlaneRuntime sets per revision.
        var settings = ReconcileSettings(previewScope: .untouched, maxSurge: 1, maxDeletePercent: 30)
        settings.environmentScope = .only([endpoints.environment], previews: false)
        let ingressChecks = endpoints.ingressChecks
        let pass = CyclePass(settings: settings) { target in
            Self.cycle(target: target, compute: compute, edge: edge, journal: journal, agents: agents, ingressChecks: ingressChecks)
        }
        let passes = PassCounter()
        let loop = EnvironmentLoop(
            environment: endpoints.environment,
            source: source,
            pass: pass,
            revisions: journal,
            schedule: ScheduleConfiguration(resyncInterval: resyncInterval),
            clock: ContinuousClock(),
            now: { Int64(Date().timeIntervalSince1970) },
            metrics: DaemonMetrics(factory: passes)
        )
        return DaemonRig(
            loop: loop,
            passes: passes,
            source: source,
            loader: loader,
            settings: settings,
            compute: compute,
            edge: edge,
            journal: journal,
            agents: agents,
            endpoints: endpoints
        )
    }

    /// `FleetSession.cycle(target:ports:journal:agents:ingressChecks:)`, as the daemon calls it.
    static func cycle(
        target: ReconcileTarget,
        compute: GCEComputeAdapter<ContinuousClock>,
        edge: CloudflareFleetAdapter<ContinuousClock>,
        journal: any IntentJournal,
        agents: any AgentRegistryPort,
        ingressChecks: Int
    ) -> ReconcileCycle<ContinuousClock> {
        let cache = journal as? any IngressCache
        var observer = Observer(compute: compute, tunnels: edge, dns: edge, agents: agents)
        observer.ingressCache = cache
        observer.configurationBudget = cache == nil ? .max : ingressChecks
        let now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
        var executor = Executor(compute: compute, tunnels: edge, dns: edge, journal: journal, clock: ContinuousClock(), now: now)
        executor.ingressCache = cache
        return ReconcileCycle(target: target, observer: observer, executor: executor, now: now)
    }

    /// A cycle towards `target` over this daemon's ports (for dry-run plans).
    func cycle(_ target: ReconcileTarget) -> ReconcileCycle<ContinuousClock> {
        Self.cycle(
            target: target,
            compute: self.compute,
            edge: self.edge,
            journal: self.journal,
            agents: self.agents,
            ingressChecks: self.endpoints.ingressChecks
        )
    }

    /// Runs the loop while `body` runs, then stops it (the running pass finishes first).
    func withRunning<Result: Sendable>(_ body: @Sendable (DaemonRig) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.loop.run() }
            do {
                let result = try await body(self)
                self.loop.stop()
                try await group.waitForAll()
                return result
            } catch {
                self.loop.stop()
                try? await group.waitForAll()
                throw error
            }
        }
    }

    /// Wakes the loop and waits for the pass that answers (passes are level-triggered: a wake
    /// during a pass folds into one more, so the pass after the current count is the one).
    func idlePass(_ reason: WakeReason = .timer) async -> PassCounter.Pass {
        let before = self.passes.count
        self.loop.wake(reason)
        return await self.passes.pass(after: before)
    }

    /// Waits (passes, not time) for the first pass after pass `after` that converged at
    /// `revision`; throws after `limit` passes. `wakeBetween` wakes the loop after each other pass
    /// (setup only: a measured commit must converge by itself).
    func waitConverged(at revision: Revision, after: Int, limit: Int, wakeBetween: Bool) async throws -> PassCounter.Pass {
        var seen = after
        for _ in 0..<limit {
            let pass = await self.passes.pass(after: seen)
            seen = pass.number
            let status = await self.loop.status()
            if pass.result == "converged", status.lastPass?.revision == revision.hex, status.conditions.isTrue(.ready) { return pass }
            if wakeBetween { self.loop.wake(.timer) }  // a wake during a requeued pass only adds one more
        }
        let status = await self.loop.status()
        throw BenchmarkError(message: "not converged at \(revision.short) after \(limit) passes: \(Self.describe(status))")
    }

    static func describe(_ status: EnvironmentStatus) -> String {
        let conditions = status.conditions.conditions.map { "\($0.type.rawValue)=\($0.status.rawValue) (\($0.reason): \($0.message))" }
        let pass = status.lastPass.map {
            "last pass \($0.result) at \($0.revision ?? "-") +\($0.create) ~\($0.update) -\($0.delete) failed \($0.failed)"
        }
        return ([pass ?? "no pass"] + conditions + status.diagnostics).joined(separator: "; ")
    }
}

/// `FleetRevisionLoader.load` (CLI): the fleet file at a revision, loaded, validated and expanded
/// as `plan` does, restricted to the control plane's environment.
struct BenchmarkSpecLoader: Sendable {
    let environment: String
    let file: String

    var loader: SpecLoader { { bytes, _ in self.load(bytes) } }

    func load(_ bytes: [UInt8]) -> Result<ReconcileTarget, SpecRejection> {
        let result = FleetSpecLoader.load(bytes, file: self.file)
        guard let fleet = result.fleet else { return .failure(SpecRejection(diagnostics: result.diagnostics.map { "\($0)" })) }
        let previews = PreviewNumber(environment: self.environment).map { [$0.rawValue] } ?? []
        var diagnostics = DiagnosticCollector(file: self.file)
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
            return .failure(SpecRejection(diagnostics: diagnostics.diagnostics.map { "\($0)" }))
        }
        let scope = EnvironmentScope.only(
            [self.environment],
            previews: fleet.spec.previews.map { $0.enabled && $0.from.value == self.environment } ?? false
        )
        var hasher = SHA256()
        hasher.update(data: bytes)
        hasher.update(data: Array("\npreviews=\(previews.map(String.init).joined(separator: ","))".utf8))
        return .success(
            ReconcileTarget(
                file: self.file,
                specDigest: Hex.encode(hasher.finalize()),
                desired: desired.restricted(to: scope),
                marks: OwnershipMarks(fleet: fleet.spec.metadata.name, prefix: fleet.spec.metadata.namePrefix)
            )
        )
    }

    /// The target of `text`, or why it does not load.
    func target(_ text: String) throws -> ReconcileTarget {
        switch self.load(Array(text.utf8)) {
        case .success(let target): return target
        case .failure(let rejection): throw BenchmarkError(message: "the fleet does not load: \(rejection.diagnostics.joined(separator: "\n"))")
        }
    }
}
