import Agent
import Attestation
import ControlPlane
import Crypto
import Emulators
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ProviderSupport
import Registration
import Spec
import TestSupport
import Testing

/// The agent's runtime pieces: backoff, connector tokens, fatal and retryable failures, /health.
@Suite struct AgentRuntimeTests {
    @Test("backoff doubles from 1 s with jitter and never exceeds the 60 s cap", arguments: [1, 2, 3, 6, 7, 20, 100])
    func backoff(attempt: Int) {
        let ceiling = min(60, 1 << min(attempt - 1, 30))
        for _ in 0..<50 {
            let delay = AgentService<ContinuousClock>.backoff(attempt: attempt, maximum: .seconds(60))
            #expect(delay <= .seconds(ceiling) && delay >= .milliseconds(ceiling * 500))
        }
    }

    @Test func tunnelIDFromConnectorToken() {
        let token = Data(#"{"a":"acct","t":"3a19e021-1d78-4cee-9ca1-587083d8270c","s":"c2VjcmV0"}"#.utf8).base64EncodedString()
        #expect(TunnelConnector.tunnelID(fromToken: token) == "3a19e021-1d78-4cee-9ca1-587083d8270c")
        #expect(TunnelConnector.tunnelID(fromToken: "not a token") == nil)
    }

    @Test("a wrong register path (HTTP 404) and an unreachable control plane are retried: neither is a verdict")
    func httpErrorsAreRetryable() async throws {
        try await ControlPlaneFixture.with { fixture in
            var client = fixture.agent("dd-production-web-0-de1ea041")
            client.url = "ws://127.0.0.1:\(fixture.port)/no-such-path"
            let wrongPath = await #expect(throws: RegistrationClient.Failure.self) {
                try await client.run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(
                wrongPath?.fatal == false && wrongPath?.description.contains("instead of a WebSocket upgrade") == true,
                "\(String(describing: wrongPath))"
            )
        }
        let unreachable = try await ControlPlaneFixture.unreachableAgent()
        let error = await #expect(throws: RegistrationClient.Failure.self) {
            try await unreachable.run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
        }
        #expect(error?.fatal == false)
    }

    @Test("the agent service registers, heartbeats and serves its status")
    func serviceRegisters() async throws {
        try await ControlPlaneFixture.with { fixture in
            let status = AgentStatus(vm: "dd-production-web-3-de1ea041")
            let service = AgentService(
                client: fixture.agent("dd-production-web-3-de1ea041"),
                connector: .none,
                status: status,
                heartbeatInterval: .zero,
                http: HTTPTransport(timeout: .seconds(30)),
                clock: ContinuousClock(),
                logger: Logger(label: "test.agent-service")
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                while !(status.snapshot.heartbeats >= 3 && status.snapshot.connectorReady) { await Task.yield() }
                group.cancelAll()
            }
            let snapshot = status.snapshot
            #expect(snapshot.registered && snapshot.connectorReady && snapshot.hostname == "dd-production-web-3-de1ea041.devopsdefender.com")
            #expect(snapshot.attempts == 1 && snapshot.lastError == nil && snapshot.connectorStarts == 1)
            #expect(status.tunnelToken != nil && !"\(snapshot)".contains(status.tunnelToken ?? "?"), "the token is kept out of snapshots")
        }
    }

    @Test("the agent's configuration comes from its instance's metadata server (the GCE emulator's), as the VM booted with it")
    func metadataConfiguration() async throws {
        let desired = try Self.exampleDesiredState()
        let vm = try #require(desired.environments.first?.vms.first { $0.role == .agent })
        let server = try EmulatorServer(gce: .init(project: "dd-prod"))
        let gce = try #require(server.gce)
        let ids = gce.seed(zone: vm.zone, names: [vm.name], labels: vm.labels, metadata: ["ee-config": vm.eeConfig.metadataValue])
        try await LoopbackServer.withRunning(server.router()) { port in
            let http = HTTPTransport(timeout: .seconds(30))
            let metadata = MetadataClient(host: "127.0.0.1:\(port)/_emulator/vms/\(vm.zone)/\(vm.name)", http: http)
            let variables = try await metadata.eeConfigVariables()
            #expect(variables["DD_VM_NAME"] == vm.name)
            #expect(variables["DD_REGISTER_URL"] == "wss://app.devopsdefender.com/register")
            let policy = try AttestationPolicySpec.parse(try #require(variables["DD_CP_POLICY"]), source: "DD_CP_POLICY")
            #expect(AttestationPolicy(spec: policy).allowedMRTD.count == 1, "the fleet's policy, as the agent will apply it")
            #expect(try await metadata.get("instance/id") == ids[vm.name].map(String.init))
            #expect(try await metadata.get("instance/name") == vm.name)
            await #expect(throws: MetadataClient.Failure.self) { _ = try await metadata.get("instance/attributes/nope") }
            let elsewhere = MetadataClient(host: "127.0.0.1:\(port)/_emulator/vms/\(vm.zone)/no-such-vm", http: http)
            await #expect(throws: MetadataClient.Failure.self) { _ = try await elsewhere.get("instance/id") }
            // Like the real metadata server, it answers only requests that carry Metadata-Flavor: Google.
            let bare = try await http.send(
                method: "GET",
                url: "http://127.0.0.1:\(port)/_emulator/vms/\(vm.zone)/\(vm.name)/computeMetadata/v1/instance/id",
                headers: [],
                body: nil
            )
            #expect(bare.status == 403)
        }
    }

    static func exampleDesiredState() throws -> DesiredState {
        let bytes = try Array(Data(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml")))
        let result = FleetSpecLoader.load(bytes, file: "fleet.yaml")
        let fleet = try #require(result.fleet)
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        return try #require(FleetExpander.expand(fleet, diagnostics: &diagnostics))
    }
}
