import Agent
import Attestation
import AttestationSimulation
import ControlPlane
import Encoding
import Foundation
import Testing

/// The control plane under a flood of requests that each cost a slow, blocking quote: the
/// server keeps answering, and an honest agent still registers (issue 18, point 2).
@Suite struct FreezeTests {
    static let vm = "dd-production-web-0-de1ea041"

    /// How slow `/health` may typically be during the flood: the 1 s, for the median
    /// answer.
    static let typicalBound = Duration.seconds(1)
    /// How slow any one `/health` answer may be. The suite runs in one process with every other
    /// test, on a 2-core CI machine shared with builds, so one answer can wait a few seconds for
    /// a thread without anything being frozen (10.7 s seen once, with a release build running
    /// beside the suite); the old code left `/health` unanswered for 100 s (7 answers in 100 s,
    /// probes unanswered for over 30 s).
    static let worstBound = Duration.seconds(30)

    @Test("a 1 s blocking quote source and 200 /cp/attest requests: /health keeps answering (median under 1 s), an honest agent registers")
    func attestFlood() async throws {
        let quotes: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { BlockingQuotes(inner: $0) }
        try await ControlPlaneFixture.with(controlPlaneQuotes: quotes) { fixture in
            let port = fixture.port
            let stop = StopFlag()
            let probe = Task { await RawHTTP.onThread { RawHTTP.probeHealth(port: port, until: stop) } }
            let flood = Task {
                await withTaskGroup(of: Int?.self) { group in
                    for _ in 0..<200 {
                        let path = "/cp/attest?nonce=\(Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }))"
                        group.addTask { await RawHTTP.onThread { RawHTTP.status(port: port, path: path) } }
                    }
                    return await group.reduce(into: [Int?]()) { $0.append($1) }
                }
            }
            let agentStarted = ContinuousClock.now
            var registration: (any Error)?
            do {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            } catch {
                registration = error
            }
            let agentTook = agentStarted.duration(to: .now)
            let statuses = await flood.value
            stop.set()
            let health = await probe.value
            let sorted = health.latencies.sorted()
            let median = sorted.isEmpty ? .zero : sorted[sorted.count / 2]
            let worst = sorted.last ?? .zero
            let outcome = registration.map { "failed: \($0)" } ?? "registered"
            let attest = Dictionary(grouping: statuses) { $0 ?? 0 }.mapValues(\.count)
            print(
                "flood: agent \(outcome) after \(agentTook); /health median \(median), worst \(worst) over \(sorted.count) asks, \(health.failed) failed; attest statuses \(attest)"
            )
            #expect(registration == nil && fixture.registry.snapshot().map(\.record.vm) == [Self.vm], "the honest agent registered")
            #expect(!sorted.isEmpty && health.failed == 0)
            #expect(median < Self.typicalBound, "/health took \(median) (median) during the flood")
            #expect(worst < Self.worstBound, "/health took \(worst) (worst) during the flood")
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 }, "every attest request answered: a quote or busy")
        }
    }
}
