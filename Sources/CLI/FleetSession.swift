import ArgumentParser
import CloudflareProvider
import ControlPlane
import Crypto
import Encoding
import Foundation
import GCEProvider
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
    var gce: GCEClient<ContinuousClock>
    var cloudflare: CloudflareClient<ContinuousClock>
    var compute: GCEComputeAdapter<ContinuousClock>
    var edge: CloudflareFleetAdapter<ContinuousClock>

    /// Loads and validates the file, expands it with the open previews, builds the clients.
    static func open(file: String, input: FleetInputOptions, endpoints: CloudEndpointOptions, previews: [Int]) throws(Failure) -> FleetSession {
        let loaded: LoadedFleet
        let fleet: ResolvedFleet
        do {
            (loaded, fleet) = try LoadedFleet.resolve(file, options: input)
        } catch {
            throw Failure(message: error.message, exitCode: 1)
        }
        var diagnostics = DiagnosticCollector(file: file)
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
            let renderer = DiagnosticRenderer(useColor: Terminal.standardError.supportsColor)
            throw Failure(message: renderer.render(diagnostics.diagnostics, source: loaded.source), exitCode: 1)
        }
        let spec = fleet.spec
        let transport = HTTPTransport()
        let gce: GCEClient<ContinuousClock>
        let cloudflare: CloudflareClient<ContinuousClock>
        do {
            gce = try endpoints.gceClient(spec: spec.gce, transport: transport)
            cloudflare = try endpoints.cloudflareClient(spec: spec.cloudflare, transport: transport)
        } catch {
            throw Failure(message: "error: \(error)\n", exitCode: 1)
        }
        let target = ReconcileTarget(
            file: file,
            specDigest: Self.digest(loaded.source ?? [], previews: previews),
            desired: desired,
            marks: OwnershipMarks(fleet: spec.metadata.name, prefix: spec.metadata.namePrefix)
        )
        return FleetSession(
            target: target,
            fleet: fleet,
            gce: gce,
            cloudflare: cloudflare,
            compute: GCEComputeAdapter(client: gce, credentialSource: endpoints.gceCredentialSource(spec: spec.gce)),
            edge: CloudflareFleetAdapter(client: cloudflare, tokenSource: endpoints.cloudflareTokenSource(spec: spec.cloudflare))
        )
    }

    /// SHA-256 over the file's bytes and the open previews.
    static func digest(_ bytes: [UInt8], previews: [Int]) -> String {
        var hasher = SHA256()
        hasher.update(data: bytes)
        hasher.update(data: Array("\npreviews=\(previews.map(String.init).joined(separator: ","))".utf8))
        return Hex.encode(hasher.finalize())
    }

    /// Every call the clients made.
    var apiCalls: Int { self.gce.rest.metrics.totalRequests + self.cloudflare.rest.metrics.totalRequests }

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
            controlPlane.map { RemoteAgentRegistry(baseURL: $0, http: HTTPTransport(timeout: .seconds(10))) } ?? EmptyAgentRegistry()
        let cache = journal as? any IngressCache
        var observer = Observer(compute: self.compute, tunnels: self.edge, dns: self.edge, agents: agents)
        observer.ingressCache = cache
        observer.configurationBudget = cache == nil ? .max : ingressChecks
        var executor = Executor(
            compute: self.compute,
            tunnels: self.edge,
            dns: self.edge,
            journal: journal,
            clock: ContinuousClock(),
            now: Self.now,
            configuration: configuration,
            checkpoint: checkpoint
        )
        executor.ingressCache = cache
        return ReconcileCycle(target: self.target, observer: observer, executor: executor, now: Self.now)
    }

    /// Seconds since 1970.
    @Sendable static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
