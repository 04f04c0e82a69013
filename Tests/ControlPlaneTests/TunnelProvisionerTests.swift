import CloudflareProvider
import ControlPlane
import Emulators
import Foundation
import Reconciler
import Spec
import Synchronization
import TestSupport
import Testing

/// Registration's tunnel provisioning is a writer like `apply`: an intent before every
/// mutation, the spec's ingress, deterministic names, no twins after a crash.
@Suite struct TunnelProvisionerTests {
    /// The example fleet's production environment, expanded.
    static func production() throws -> (DesiredState, DesiredEnvironment) {
        let url = TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml")
        let result = FleetSpecLoader.load(Array(try Data(contentsOf: url)), file: "fleet.yaml")
        let fleet = try #require(result.fleet)
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        let desired = try #require(FleetExpander.expand(fleet, previews: [], diagnostics: &diagnostics))
        return (desired, try #require(desired.environments.first { $0.name == "production" }))
    }

    /// An agent VM of `environment` whose workloads expose a port (so its ingress has more than
    /// the agent's rule and the catch-all).
    static func exposingAgent(_ environment: DesiredEnvironment) throws -> String {
        let vm = environment.vms.first { vm in vm.role == .agent && environment.tunnels.contains { $0.name == vm.name && $0.ingress.count > 2 } }
        return try #require(vm?.name, "the example fleet has an agent that exposes a port")
    }

    /// Runs `body` with the Cloudflare emulator and the fleet adapter over it.
    static func withEdge(
        _ body: @Sendable (CloudflareFleetAdapter<ContinuousClock>, CloudflareClient<ContinuousClock>) async throws -> Void
    ) async throws {
        let server = try EmulatorServer(cloudflare: .init())
        let configuration = try #require(server.cloudflare?.configuration)
        try await LoopbackServer.withRunning(server.router()) { port in
            let client = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: "http://127.0.0.1:\(port)/client/v4",
                clock: ContinuousClock()
            )
            try await body(CloudflareFleetAdapter(client: client), client)
        }
    }

    static func provisioner(
        _ tunnels: any TunnelPort,
        _ dns: any DNSPort,
        client: CloudflareClient<ContinuousClock>,
        journal: any IntentJournal,
        environment: DesiredEnvironment
    ) -> PortTunnelProvisioner {
        PortTunnelProvisioner(
            tunnels: tunnels,
            dns: dns,
            token: { try await client.token(id: $0) },
            journal: journal,
            environment: environment,
            now: { 1_790_000_000 }
        )
    }

    @Test("every Cloudflare mutation is preceded by a pending intent for it, and the intent is closed after")
    func intentBeforeMutation() async throws {
        let (_, environment) = try Self.production()
        let vm = try Self.exposingAgent(environment)
        try await Self.withEdge { edge, client in
            let log = EventLog()
            let journal = RecordingJournal(log: log)
            let recorded = RecordingEdge(edge: edge, log: log)
            _ = try await Self.provisioner(recorded, recorded, client: client, journal: journal, environment: environment).provision(vm: vm)
            let events = log.events
            let mutations = events.filter { $0.hasPrefix("call ") }
            let records = environment.dnsRecords.filter { $0.tunnel == vm }
            #expect(mutations.count == 2 + records.count, "tunnel, ingress and each record: \(events)")
            for (index, event) in events.enumerated() where event.hasPrefix("call ") {
                let action = String(event.dropFirst("call ".count))
                #expect(index > 0 && events[index - 1] == "begin \(action)", "an intent right before \(event): \(events)")
                #expect(events.dropFirst(index).contains("done \(action)"), "\(action) closed: \(events)")
            }
            #expect(try await journal.unfinished().isEmpty)
        }
    }

    @Test("the ingress written is the spec's: the plan that follows changes no tunnel, ingress or record of the VM")
    func ingressIsThePlannersWants() async throws {
        let (desired, environment) = try Self.production()
        let vm = try Self.exposingAgent(environment)
        try await Self.withEdge { edge, client in
            let provisioned = try await Self.provisioner(edge, edge, client: client, journal: MemoryJournal(), environment: environment)
                .provision(vm: vm)
            let wanted = try #require(environment.tunnels.first { $0.name == vm })
            #expect(try await edge.ingress(tunnelID: provisioned.tunnelID) == wanted.ingress)
            let marks = OwnershipMarks(fleet: desired.fleet, prefix: "dd")
            let observer = Observer(compute: NoInstances(), tunnels: edge, dns: edge)
            let observed = await observer.observe(marks: marks, ingressFor: [vm], now: 1_790_000_000)
            var options = PlannerOptions()
            options.now = 1_790_000_000
            let plan = Planner.plan(desired: desired, observed: observed, marks: marks, options: options)
            let hostnames = Set(environment.dnsRecords.filter { $0.tunnel == vm }.map { Normalization.dnsName($0.name) })
            let touching = plan.actions.filter { action in
                switch action.actionID.resource {
                case .tunnel, .ingress: action.name == vm
                case .dns: hostnames.contains(Normalization.dnsName(action.name))
                case .vm: false
                }
            }
            #expect(touching.isEmpty, "\(touching.map(\.id))")
            #expect(plan.actions.contains { $0.actionID == ActionID(.create, .vm, vm) }, "the planner saw the VM as wanted and missing")
        }
    }

    @Test("a retry after a crash between the intent and the call, or between the call and its outcome, makes no twin")
    func retryAfterCrash() async throws {
        let (_, environment) = try Self.production()
        let vm = try Self.exposingAgent(environment)
        try await Self.withEdge { edge, client in
            let journal = MemoryJournal()
            let provisioner = Self.provisioner(edge, edge, client: client, journal: journal, environment: environment)
            // Crashed after the intent, before the call.
            _ = try journal.begin(ActionID(.create, .tunnel, vm), now: 1)
            let first = try await provisioner.provision(vm: vm)
            // Crashed after the call returned, before the journal heard of it.
            _ = try journal.begin(ActionID(.create, .tunnel, vm), now: 2)
            let second = try await provisioner.provision(vm: vm)
            #expect(first.tunnelID == second.tunnelID)
            #expect(try await edge.listTunnels(prefix: vm).filter { $0.name == vm }.count == 1)
            for record in environment.dnsRecords where record.tunnel == vm {
                #expect(try await client.listDNSRecords(name: record.name).count == 1, "one \(record.name)")
            }
            #expect(try journal.unfinished().isEmpty)
        }
    }

    @Test("a VM the spec names no tunnel for is refused before anything is made")
    func notInSpec() async throws {
        let (_, environment) = try Self.production()
        try await Self.withEdge { edge, client in
            let journal = MemoryJournal()
            await #expect(throws: ProvisioningError(.notInSpec, "")) {
                try await Self.provisioner(edge, edge, client: client, journal: journal, environment: environment).provision(vm: "dd-elsewhere")
            }
            let tunnels = try await edge.listTunnels(prefix: "dd-")
            #expect(tunnels.isEmpty)
        }
    }
}

/// What the journal and the edge saw, in order.
final class EventLog: Sendable {
    private let entries = Mutex<[String]>([])

    func append(_ event: String) { self.entries.withLock { $0.append(event) } }

    var events: [String] { self.entries.withLock { $0 } }
}

/// A memory journal that logs `begin <action>` and `done|failed <action>`.
struct RecordingJournal: IntentJournal {
    let log: EventLog
    let journal = MemoryJournal()

    func begin(_ action: ActionID, now: Int64) async throws(JournalError) -> Intent {
        self.log.append("begin \(action)")
        return try self.journal.begin(action, now: now)
    }

    func finish(_ action: ActionID, state: Intent.State, now: Int64) async throws(JournalError) {
        self.log.append("\(state == .done ? "done" : "failed") \(action)")
        try self.journal.finish(action, state: state, now: now)
    }

    func unfinished() async throws(JournalError) -> [Intent] { try self.journal.unfinished() }
}

/// The fleet adapter, logging each mutation as `call <the action it performs>`.
struct RecordingEdge: TunnelPort, DNSPort {
    let edge: CloudflareFleetAdapter<ContinuousClock>
    let log: EventLog

    func listTunnels(prefix: String) async throws -> [ObservedTunnel] { try await self.edge.listTunnels(prefix: prefix) }

    func ingress(tunnelID: String) async throws -> [Spec.IngressRule] { try await self.edge.ingress(tunnelID: tunnelID) }

    func createTunnel(name: String) async throws -> (id: String, outcome: ApplyOutcome) {
        self.log.append("call \(ActionID(.create, .tunnel, name))")
        return try await self.edge.createTunnel(name: name)
    }

    func putIngress(tunnelID: String, rules: [Spec.IngressRule]) async throws {
        let name = try await self.edge.listTunnels(prefix: "dd-").first { $0.id == tunnelID }?.name ?? tunnelID
        self.log.append("call \(ActionID(.create, .ingress, name))")
        try await self.edge.putIngress(tunnelID: tunnelID, rules: rules)
    }

    func deleteTunnel(id: String) async throws -> ApplyOutcome { try await self.edge.deleteTunnel(id: id) }

    func listRecords() async throws -> [ObservedDNSRecord] { try await self.edge.listRecords() }

    func createCNAME(name: String, tunnelID: String, comment: String) async throws -> ApplyOutcome {
        self.log.append("call \(ActionID(.create, .dns, name))")
        return try await self.edge.createCNAME(name: name, tunnelID: tunnelID, comment: comment)
    }

    func updateCNAME(id: String, name: String, tunnelID: String, comment: String) async throws {
        try await self.edge.updateCNAME(id: id, name: name, tunnelID: tunnelID, comment: comment)
    }

    func deleteRecord(id: String) async throws -> ApplyOutcome { try await self.edge.deleteRecord(id: id) }
}

/// A GCE that lists no instances and refuses every mutation.
struct NoInstances: ComputePort {
    struct Refused: Error {}

    func listInstances(fleet: String) async throws -> [ObservedVM] { [] }
    func createInstance(_ vm: DesiredVM, requestID: String) async throws -> ApplyOutcome { throw Refused() }
    func setLabels(zone: String, name: String, labels: [String: String]) async throws { throw Refused() }
    func setMetadata(zone: String, name: String, key: String, value: String) async throws { throw Refused() }
    func start(zone: String, name: String, requestID: String) async throws { throw Refused() }
    func deleteInstance(zone: String, name: String, requestID: String) async throws -> ApplyOutcome { throw Refused() }
}
