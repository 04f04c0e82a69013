import ArgumentParser
import CloudflareProvider
import ControlPlane
import Crypto
import Foundation
import GCEProvider
import ProviderSupport
import Reconciler
import Spec

/// One fleet file wired to the real (or emulated) clouds: the desired state, the observer and
/// the executor's ports. `plan` and `apply` both start here.
struct FleetSession {
    /// A failure before planning: the message and the exit code.
    struct Failure: Error {
        var message: String
        var exitCode: Int32
    }

    var file: String
    var fleet: ResolvedFleet
    var specDigest: String
    var desired: DesiredState
    var marks: OwnershipMarks
    var gce: GCEClient<ContinuousClock>
    var cloudflare: CloudflareClient<ContinuousClock>
    var compute: GCEComputeAdapter<ContinuousClock>
    var edge: CloudflareFleetAdapter<ContinuousClock>

    /// Loads and validates the file, expands it with the open previews, builds the clients.
    static func open(file: String, input: FleetInputOptions, endpoints: CloudEndpointOptions, previews: [Int]) throws(Failure) -> FleetSession {
        let loaded: LoadedFleet
        do {
            loaded = try LoadedFleet.load(file, options: input)
        } catch {
            throw Failure(message: "\(error)\n", exitCode: 1)
        }
        let renderer = DiagnosticRenderer(useColor: Terminal.standardError.supportsColor)
        guard let fleet = loaded.result.fleet else {
            throw Failure(message: renderer.render(loaded.result.diagnostics, source: loaded.source), exitCode: 1)
        }
        var diagnostics = DiagnosticCollector(file: file)
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
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
        return FleetSession(
            file: file,
            fleet: fleet,
            specDigest: Self.digest(loaded.source ?? [], previews: previews),
            desired: desired,
            marks: OwnershipMarks(fleet: spec.metadata.name, prefix: spec.metadata.namePrefix),
            gce: gce,
            cloudflare: cloudflare,
            compute: GCEComputeAdapter(client: gce),
            edge: CloudflareFleetAdapter(client: cloudflare)
        )
    }

    /// SHA-256 over the file's bytes and the open previews.
    static func digest(_ bytes: [UInt8], previews: [Int]) -> String {
        var hasher = SHA256()
        hasher.update(data: bytes)
        hasher.update(data: Array("\npreviews=\(previews.map(String.init).joined(separator: ","))".utf8))
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Every call the clients made.
    var apiCalls: Int { self.gce.rest.metrics.totalRequests + self.cloudflare.rest.metrics.totalRequests }

    /// Reads the world (agents from `controlPlane`'s registry when given).
    func observe(controlPlane: String? = nil, ingressCache: (any IngressCache)? = nil, ingressChecks: Int = .max) async -> ObservedState {
        let agents: any AgentRegistryPort =
            controlPlane.map { RemoteAgentRegistry(baseURL: $0, http: HTTPTransport(timeout: .seconds(10))) } ?? EmptyAgentRegistry()
        var observer = Observer(compute: self.compute, tunnels: self.edge, dns: self.edge, agents: agents)
        observer.ingressCache = ingressCache
        observer.configurationBudget = ingressCache == nil ? .max : ingressChecks
        let wanted = Set(self.desired.environments.flatMap { $0.tunnels.map(\.name) })
        return await observer.observe(marks: self.marks, ingressFor: wanted, now: Self.now())
    }

    /// Plans against `observed`.
    func plan(_ observed: ObservedState, settings: ReconcileSettings, inFlight: Set<String>) -> Plan {
        var plannerOptions = settings.planner
        plannerOptions.now = Self.now()
        plannerOptions.inFlight = inFlight
        return Planner.plan(desired: self.desired, observed: observed, marks: self.marks, options: plannerOptions)
    }

    /// Seconds since 1970.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}
