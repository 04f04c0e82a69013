import ArgumentParser
import CloudflareProvider
import ControlPlane
import Daemon
import Foundation
import GCEProvider
import Logging
import Reconciler
import Spec
import Synchronization

/// A reconciling control plane's moving parts: the cloud clients (built from the first accepted
/// revision's fleet file, then kept: one client and one rate budget per credential for
/// registration and reconciliation alike), the registration handler (rebuilt for every accepted
/// revision), and each pass's cycle.
final class ControlPlaneRuntime: ReconcilePass {
    struct Configuration: Sendable {
        var endpoints: CloudEndpointOptions
        var environment: ProcessEnvironment
        var settings: ReconcileSettings
        var ingressChecks: Int
    }

    private let configuration: Configuration
    private let loader: FleetRevisionLoader
    private let factory: RegistrationFactory
    private let slot: RegistrationSlot<ContinuousClock>
    /// The reconciler's journal (writer `reconciler`), also its ingress cache.
    private let journal: any IntentJournal
    private let logger: Logger
    /// The clients, and the `providers` section they were made from.
    private let clients = Mutex<(clients: ProviderClients, gce: GCEProviderSpec, cloudflare: CloudflareProviderSpec)?>(nil)
    /// The revision whose registration rules are in the slot.
    private let installed = Mutex<Revision?>(nil)

    init(
        configuration: Configuration,
        loader: FleetRevisionLoader,
        factory: RegistrationFactory,
        slot: RegistrationSlot<ContinuousClock>,
        journal: any IntentJournal,
        logger: Logger
    ) {
        self.configuration = configuration
        self.loader = loader
        self.factory = factory
        self.slot = slot
        self.journal = journal
        self.logger = logger
    }

    /// A revision was accepted: connect on the first, and put a registration handler for its
    /// fleet file in place (a failure is logged here and reported by the pass, which tries again).
    func accept(_ desired: DesiredRevision) async {
        do {
            try self.install(desired.revision)
        } catch {
            self.logger.error("registration cannot use this revision", metadata: ["revision": "\(desired.revision.short)", "error": "\(error)"])
        }
    }

    /// Connects (once) and installs `revision`'s registration rules, unless they are in place.
    private func install(_ revision: Revision) throws {
        guard self.installed.withLock({ $0 }) != revision else { return }
        guard let (fleet, environment) = self.loader.fleet(at: revision) else {
            throw ValidationError("revision \(revision.short) was not loaded")
        }
        let clients = try self.connect(fleet.spec)
        self.slot.install(try self.factory.handler(spec: fleet.spec, environment: environment, clients: clients))
        self.installed.withLock { $0 = revision }
    }

    func reconcile(_ desired: DesiredRevision) async -> PassReport {
        guard let (fleet, _) = self.loader.fleet(at: desired.revision) else {
            return PassReport(outcome: nil, plan: nil, error: "revision \(desired.revision.short) was not loaded")
        }
        let ports: (GCEComputeAdapter<ContinuousClock>, CloudflareFleetAdapter<ContinuousClock>)
        do {
            try self.install(desired.revision)
            let clients = try self.connect(fleet.spec)
            ports = (try clients.compute(), clients.edge)
        } catch {
            return PassReport(outcome: nil, plan: nil, error: "the clouds or registration cannot start with this revision: \(error)")
        }
        var settings = self.configuration.settings
        settings.environmentScope = self.loader.scope(of: fleet)
        let journal = self.journal
        let agents = self.factory.shared.registry
        let ingressChecks = self.configuration.ingressChecks
        let registrationJournal = self.factory.shared.journal
        let inFlight: @Sendable () async -> Set<String> = {
            (try? await registrationJournal.unfinished()).map(JournalSettlement.inFlight) ?? []
        }
        let pass = CyclePass(settings: settings, inFlight: inFlight) { target in
            FleetSession.cycle(target: target, ports: ports, journal: journal, agents: agents, ingressChecks: ingressChecks)
        }
        return await pass.reconcile(desired)
    }

    /// The process's clients, made from the first spec that needs them (a failure is tried
    /// again on the next pass: a credential may be fixed without a restart). A revision whose
    /// `providers` differ from theirs is refused: acting on it with the old project or account
    /// would create its objects in the wrong place.
    private func connect(_ spec: FleetSpec) throws -> ProviderClients {
        try self.clients.withLock { clients in
            if let clients {
                guard clients.gce == spec.gce, clients.cloudflare == spec.cloudflare else {
                    throw ValidationError(
                        "the fleet file's providers section changed; restart the control plane to use the new project, account or credentials"
                    )
                }
                return clients.clients
            }
            let made = try ProviderClients.connect(
                spec: spec,
                endpoints: self.configuration.endpoints,
                environment: self.configuration.environment,
                logger: self.logger,
                includingGCE: true
            )
            clients = (made, spec.gce, spec.cloudflare)
            return made
        }
    }
}
