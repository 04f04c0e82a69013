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
    /// The share of `/health` asks that may be slower than ``typicalBound`` or unanswered. The
    /// suite shares one process, and its cooperative threads, with tests that wait on child
    /// processes, on a 2-core CI machine: one ask was seen to wait 32 s there for a thread while
    /// the median stayed at 31 ms. The old code answered 7 asks in 100 s: nearly every ask slow.
    static let slowShare = 0.25

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
            let slow = sorted.filter { $0 >= Self.typicalBound }.count + health.failed
            #expect(!sorted.isEmpty)
            #expect(median < Self.typicalBound, "/health took \(median) (median) during the flood")
            #expect(Double(slow) <= Self.slowShare * Double(sorted.count), "\(slow) of \(sorted.count) asks were slow or failed; worst \(worst)")
            #expect(statuses.allSatisfy { $0 == nil || $0 == 200 || $0 == 503 }, "an attest answer is a quote or busy")
        }
    }
}
