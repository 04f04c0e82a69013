import Agent
import Attestation
import Crypto
import Foundation
import Logging
import ProviderSupport
import Registration
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

    @Test("a wrong register path (HTTP 404) is fatal; an unreachable control plane is retried")
    func fatalAndRetryable() async throws {
        try await ControlPlaneFixture.with { fixture in
            var client = fixture.agent("dd-production-web-0-de1ea041")
            client.http = HTTPTransport(timeout: .seconds(5))
            client.url = "ws://127.0.0.1:\(fixture.port)/no-such-path"
            let wrongPath = await #expect(throws: RegistrationClient.Failure.self) {
                try await client.run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(wrongPath?.fatal == true && wrongPath?.description.contains("HTTP 404") == true, "\(String(describing: wrongPath))")
        }
        var unreachable = try await ControlPlaneFixture.unreachableAgent()
        unreachable.http = HTTPTransport(timeout: .seconds(5))
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
                http: HTTPTransport(timeout: .seconds(5)),
                clock: ContinuousClock(),
                logger: Logger(label: "test.agent-service")
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                while status.snapshot.heartbeats < 3 { await Task.yield() }
                group.cancelAll()
            }
            let snapshot = status.snapshot
            #expect(snapshot.registered && snapshot.connectorReady && snapshot.hostname == "dd-production-web-3-de1ea041.devopsdefender.com")
            #expect(snapshot.attempts == 1 && snapshot.lastError == nil)
        }
    }
}
