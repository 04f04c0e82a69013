import Agent
import ControlPlane
import Foundation
import ProviderSupport
import Testing

/// A control plane that has accepted no fleet revision yet: its registration routes answer 503,
/// which an agent takes as "retry later", never as a refusal.
@Suite struct EmptySlotTests {
    @Test("before the first revision, /register and /health answer 503 with Retry-After, and an agent's attempt is not fatal")
    func agentRetriesBeforeTheFirstRevision() async throws {
        try await DaemonRoutesServer.with(environments: []) { server in
            let health = try await server.get("/health")
            #expect(health.status == 503)
            let upgrade = try await server.get("/register")
            #expect(upgrade.status == 503 && upgrade.headers.contains { $0.0.lowercased() == "retry-after" && $0.1 == "5" })
            let agent = try await ControlPlaneFixture.unreachableAgent(url: "ws://127.0.0.1:\(server.port)/register")
            let failure = await #expect(throws: RegistrationClient.Failure.self) {
                try await agent.run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(
                failure?.fatal == false && failure?.description.contains("instead of a WebSocket upgrade") == true,
                "\(String(describing: failure))"
            )
        }
    }
}
