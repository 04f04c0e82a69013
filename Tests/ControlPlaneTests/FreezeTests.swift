import Agent
import Attestation
import AttestationSimulation
import ControlPlane
import Encoding
import Foundation
import Testing

/// The control plane under floods of requests that each cost a slow, blocking quote: the server
/// keeps answering, deadlines hold, and an honest agent still registers (issue 18, point 2).
///
/// `make test` runs this suite on its own, after the others: its bound is on latency, and the
/// other suites share this process's cooperative threads and the machine's two cores.
@Suite(.serialized) struct FreezeTests {
    static let vm = "dd-production-web-0-de1ea041"

    /// How slow any `/health` answer may be during a flood (the issue's bound).
    static let healthBound = Duration.seconds(1)
    /// How long the honest agent may take to register, retrying, once a flood started.
    static let registrationBound = Duration.seconds(60)
    /// The handshake deadline of the WebSocket flood's control plane.
    static let handshakeTimeout = Duration.seconds(10)

    static let blockingQuotes: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { BlockingQuotes(inner: $0) }

    @Test("a 1 s blocking quote source and 200 /cp/attest requests: every /health answers within 1 s, an honest agent registers")
    func attestFlood() async throws {
        try await ControlPlaneFixture.with(controlPlaneQuotes: Self.blockingQuotes) { fixture in
            let port = fixture.port
            let run = try await Self.flood(fixture, count: 200) {
                RawHTTP.status(port: port, path: "/cp/attest?nonce=\(Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }))")
            }
            let attest = Dictionary(grouping: run.outcomes) { $0 ?? 0 }.mapValues(\.count)
            print("attest flood: \(run.summary); attest statuses \(attest)")
            Self.expectResponsive(run, fixture)
            #expect(run.outcomes.allSatisfy { $0 == 200 || $0 == 503 }, "an attest answer is a quote or busy: \(attest)")
        }
    }

    @Test("a 1 s blocking quote source and 100 WebSocket first messages: every /health answers within 1 s, each handshake deadline holds")
    func firstMessageFlood() async throws {
        try await ControlPlaneFixture.with(controlPlaneQuotes: Self.blockingQuotes, handshakeTimeout: Self.handshakeTimeout) { fixture in
            let port = fixture.port
            let run = try await Self.flood(fixture, count: 100) { RawRegistrationStart.run(port: port, readTimeoutSeconds: 40) }
            let held = run.outcomes.compactMap(\.heldFor).sorted()
            print("first-message flood: \(run.summary); connections held \(held.first ?? .zero) to \(held.last ?? .zero)")
            Self.expectResponsive(run, fixture)
            let upgraded = run.outcomes.filter(\.upgraded).count
            #expect(upgraded == run.outcomes.count, "\(upgraded) of \(run.outcomes.count) flooding connections were upgraded")
            // The deadline, plus a quote already under way when it passed, plus the close timeout.
            let bound = Self.handshakeTimeout + .seconds(3)
            let last = held.last ?? .zero
            let allEnded = held.count == run.outcomes.count
            #expect(
                allEnded && last <= bound,
                "every unfinished handshake ended within \(bound): \(held.count) of \(run.outcomes.count) ended, the last after \(last)"
            )
        }
    }

    // MARK: Flood and measure

    /// What one flood measured.
    struct FloodRun<Outcome: Sendable>: Sendable {
        var outcomes: [Outcome]
        var registrationError: String?
        var agentTook: Duration
        var health: (latencies: [Duration], failed: Int)

        var worst: Duration { self.health.latencies.max() ?? .zero }
        var summary: String {
            let sorted = self.health.latencies.sorted()
            let median = sorted.isEmpty ? .zero : sorted[sorted.count / 2]
            let agent = self.registrationError.map { "failed (\($0))" } ?? "registered"
            return "agent \(agent) after \(self.agentTook); /health median \(median), worst \(self.worst) over \(sorted.count) asks, "
                + "\(self.health.failed) failed"
        }
    }

    /// Sends `count` attacks at once, each on a thread of its own, while `/health` is asked back to
    /// back on another and an honest agent registers (retrying as the agent's service does).
    static func flood<Outcome: Sendable>(
        _ fixture: ControlPlaneFixture,
        count: Int,
        attack: @escaping @Sendable () -> Outcome
    ) async throws -> FloodRun<Outcome> {
        let port = fixture.port
        let stop = StopFlag()
        let probe = Task { await RawHTTP.onThread { RawHTTP.probeHealth(port: port, until: stop) } }
        let attacks = Task {
            await withTaskGroup(of: Outcome.self) { group in
                for _ in 0..<count { group.addTask { await RawHTTP.onThread(attack) } }
                return await group.reduce(into: [Outcome]()) { $0.append($1) }
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        let registrationError = await Self.registerHonestAgent(fixture, until: started + Self.registrationBound)
        let agentTook = started.duration(to: clock.now)
        let outcomes = await attacks.value
        stop.set()
        return FloodRun(outcomes: outcomes, registrationError: registrationError, agentTook: agentTook, health: await probe.value)
    }

    /// Registers the honest agent, trying again (after half a second) while the control plane is
    /// busy, until `deadline`; the last error, or nil once registered.
    static func registerHonestAgent(_ fixture: ControlPlaneFixture, until deadline: ContinuousClock.Instant) async -> String? {
        var lastError = "no attempt"
        while ContinuousClock.now < deadline {
            do {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
                return nil
            } catch {
                lastError = "\(error)"
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        return lastError
    }

    /// The issue's bar: every `/health` ask answered 200 within ``healthBound``, and the honest
    /// agent registered.
    static func expectResponsive<Outcome>(
        _ run: FloodRun<Outcome>,
        _ fixture: ControlPlaneFixture,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            run.registrationError == nil && fixture.registry.snapshot().map(\.record.vm) == [Self.vm],
            "the honest agent registered: \(run.registrationError ?? "yes")",
            sourceLocation: sourceLocation
        )
        #expect(run.health.latencies.count >= 5, "/health was asked throughout", sourceLocation: sourceLocation)
        #expect(run.health.failed == 0, "\(run.health.failed) /health asks failed", sourceLocation: sourceLocation)
        #expect(run.worst < Self.healthBound, "the slowest /health answer took \(run.worst)", sourceLocation: sourceLocation)
    }
}
