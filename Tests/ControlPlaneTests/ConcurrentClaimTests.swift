import Agent
import Attestation
import AttestationSimulation
import ControlPlane
import Emulators
import Foundation
import Registration
import Testing

/// Claimants of one VM name racing: at most one registration per VM name is in flight, so
/// exactly one of them gets its tunnel token (issue 18, point 5).
@Suite struct ConcurrentClaimTests {
    static let vm = "dd-production-web-0-de1ea041"

    @Test("ten TDs claiming one VM name at once: exactly one receives the tunnel token, the others are refused and may retry")
    func tenClaimants() async throws {
        let latch = Latch()
        let quoting = AdmissionGate(limit: 10, queueLimit: 0)
        let quotes: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { LatchedQuotes(inner: $0, latch: latch, held: Set(1...10)) }
        try await ControlPlaneFixture.with(controlPlaneQuotes: quotes, quoting: quoting) { fixture in
            let outcomes = try await withThrowingTaskGroup(of: Result<String, RegistrationClient.Failure>.self) { group in
                for _ in 0..<10 {
                    let agent = fixture.agent(Self.vm)
                    group.addTask {
                        let token = Box("")
                        do {
                            try await agent.run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { token.value = $0.tunnelToken }
                            return .success(token.value)
                        } catch let failure as RegistrationClient.Failure {
                            return .failure(failure)
                        }
                    }
                }
                // Every claimant holds its hello at the latch: they all decide together.
                await AdmissionGateTests.until { quoting.running == 10 }
                latch.open()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let tokens = outcomes.compactMap { try? $0.get() }
            let refusals = outcomes.compactMap { outcome -> RegistrationClient.Failure? in
                if case .failure(let failure) = outcome { return failure }
                return nil
            }
            #expect(tokens.count == 1 && tokens.allSatisfy { !$0.isEmpty }, "\(tokens.count) claimants received the token")
            #expect(refusals.count == 9 && refusals.allSatisfy { !$0.fatal }, "\(refusals)")
            #expect(
                refusals.allSatisfy { $0.description.contains("already-registered") || $0.description.contains("registration-in-progress") },
                "\(refusals)"
            )
            #expect(fixture.server.journal.counts["cloudflare tunnels.create"] == 1, "one tunnel")
        }
    }
}
