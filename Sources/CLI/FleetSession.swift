import ArgumentParser
import CloudflareProvider
import ControlPlane
import Crypto
import Encoding
import Foundation
import GCEProvider
import Logging
import ProviderSupport
import Reconciler
import Spec

/// One fleet file wired to the real (or emulated) clouds: the cycle's target and the ports it
/// observes and changes. `plan` and `apply` both start here.
struct FleetSession {
    /// A failure before planning: the message and the exit code.
    struct Failure: Error {
        var message: String
        var exitCode: Int32
    }

    var target: ReconcileTarget
    var fleet: ResolvedFleet
    /// The environments the session reconciles (`--env`), all by default.
    var scope: EnvironmentScope
    /// The process's cloud clients (one per credential).
    var clients: ProviderClients
    var compute: GCEComputeAdapter<ContinuousClock>
    var edge: CloudflareFleetAdapter<ContinuousClock>

    /// Loads and validates the file, expands it with the open previews, builds the clients.
    static func open(
        file: String,
        input: FleetInputOptions,
        endpoints: CloudEndpointOptions,
        previews: [Int],
        only: String? = nil,
        expectedDigest: String? = nil,
        specChosenSecrets: Bool = true,
        environment: ProcessEnvironment,
        logger: Logger
    ) throws(Failure) -> FleetSession {
        let (loaded, fleet) = try Self.load(file, input: input, previews: previews, expectedDigest: expectedDigest)
        var diagnostics = DiagnosticCollector(file: file)
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
            let renderer = DiagnosticRenderer(useColor: Terminal.standardError.supportsColor)
            throw Failure(message: renderer.render(diagnostics.diagnostics, source: loaded.source), exitCode: 1)
        }
        let spec = fleet.spec
        let scope = try Self.scope(only, of: fleet, file: file)
        let clients: ProviderClients
        let gce: GCEClient<ContinuousClock>
        do {
            clients = try ProviderClients.connect(
                spec: spec,
                endpoints: endpoints,
                environment: environment,
                logger: logger,
                specChosenSecrets: specChosenSecrets
            )
            gce = try clients.requiredGCE()
        } catch {
            throw Failure(message: "error: \(error)\n", exitCode: 1)
        }
        let target = ReconcileTarget(
            file: file,
            specDigest: Self.digest(loaded.source ?? [], previews: previews),
            desired: desired.restricted(to: scope),
            marks: OwnershipMarks(fleet: spec.metadata.name, prefix: spec.metadata.namePrefix)
        )
        return FleetSession(
            target: target,
            fleet: fleet,
            scope: scope,
            clients: clients,
            compute: GCEComputeAdapter(client: gce, credentialSource: clients.gceCredentialSource),
            edge: clients.edge
        )
    }

    /// Reads and validates the fleet file. With `expectedDigest` (a saved plan's), a file whose
    /// digest differs is refused as stale (exit 3) before it is parsed or diagnosed, so nothing
    /// of a file a tampered plan points at is ever shown.
    static func load(
        _ file: String,
        input: FleetInputOptions,
        previews: [Int],
        expectedDigest: String?
    ) throws(Failure) -> (LoadedFleet, ResolvedFleet) {
        let loaded: LoadedFleet
        do {
            loaded = try LoadedFleet.load(file, options: input)
        } catch {
            throw Failure(message: "\(error)\n", exitCode: 1)
        }
        if let expectedDigest, Self.digest(loaded.source ?? [], previews: previews) != expectedDigest {
            throw Failure(
                message: "error: the saved plan is stale: the spec \(file) changed since the plan was made (its digest differs; "
                    + "the file is not shown). Make a new plan: devopsdefender plan FILE --out PLAN\n",
                exitCode: 3
            )
        }
        guard let fleet = loaded.result.fleet else { throw Failure(message: loaded.renderedDiagnostics, exitCode: 1) }
        return (loaded, fleet)
    }

    /// The scope `--env NAME` gives: what NAME's control plane reconciles; every environment
    /// without it. An environment the fleet does not declare is an error.
    static func scope(_ only: String?, of fleet: ResolvedFleet, file: String) throws(Failure) -> EnvironmentScope {
        guard let only else { return .all }
        guard fleet.environments.contains(where: { $0.name == only }) else {
            let known = fleet.environments.map(\.name).joined(separator: ", ")
            throw Failure(message: "error: --env \(only): \(file) has no such environment (it has \(known))\n", exitCode: 1)
        }
        return .controlPlane(of: only, in: fleet.spec)
    }

    /// SHA-256 over the file's bytes and the open previews.
    static func digest(_ bytes: [UInt8], previews: [Int]) -> String {
        var hasher = SHA256()
        hasher.update(data: bytes)
        hasher.update(data: Array("\npreviews=\(previews.map(String.init).joined(separator: ","))".utf8))
        return Hex.encode(hasher.finalize())
    }

    /// Every call the clients made.
    var apiCalls: Int { self.clients.apiCalls }

    /// The cycle over this session's ports, with `journal` (also the ingress cache when it is
    /// one), agents from `controlPlane`'s registry when given.
    func cycle(
        journal: any IntentJournal,
        controlPlane: String?,
        ingressChecks: Int,
        executor configuration: ExecutorConfiguration = ExecutorConfiguration(),
        checkpoint: @escaping @Sendable (String, String) -> Void = { _, _ in }
    ) -> ReconcileCycle<ContinuousClock> {
        let agents: any AgentRegistryPort =
            controlPlane.map { RemoteAgentRegistry(baseURL: $0, http: self.clients.transport.withTimeout(.seconds(10))) } ?? EmptyAgentRegistry()
        return Self.cycle(
            target: self.target,
            ports: (self.compute, self.edge),
            journal: journal,
            agents: agents,
            ingressChecks: ingressChecks,
            executor: configuration,
            checkpoint: checkpoint
        )
    }

    /// A cycle towards `target` over the clouds' ports, with `journal` (also the ingress cache
    /// when it is one) and `agents`: `plan`, `apply` and the daemon build theirs here.
    static func cycle(
        target: ReconcileTarget,
        ports: (compute: GCEComputeAdapter<ContinuousClock>, edge: CloudflareFleetAdapter<ContinuousClock>),
        journal: any IntentJournal,
        agents: any AgentRegistryPort,
        ingressChecks: Int,
        executor configuration: ExecutorConfiguration = ExecutorConfiguration(),
        checkpoint: @escaping @Sendable (String, String) -> Void = { _, _ in }
    ) -> ReconcileCycle<ContinuousClock> {
        let cache = journal as? any IngressCache
        var observer = Observer(compute: ports.compute, tunnels: ports.edge, dns: ports.edge, agents: agents)
        observer.ingressCache = cache
        observer.configurationBudget = cache == nil ? .max : ingressChecks
        var executor = Executor(
            compute: ports.compute,
            tunnels: ports.edge,
            dns: ports.edge,
            journal: journal,
            clock: ContinuousClock(),
            now: Self.now,
            configuration: configuration,
            checkpoint: checkpoint
        )
        executor.ingressCache = cache
        return ReconcileCycle(target: target, observer: observer, executor: executor, now: Self.now)
    }

    /// Seconds since 1970.
    @Sendable static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
