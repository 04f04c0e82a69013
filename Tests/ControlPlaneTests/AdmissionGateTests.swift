import Agent
import Attestation
import AttestationSimulation
import CloudflareProvider
import ControlPlane
import Foundation
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The quoting gate: bounded concurrency, a bounded queue in arrival order, refusal beyond it —
/// on its own and in front of the control plane's quoting.
@Suite struct AdmissionGateTests {
    /// Waits (without timing) until `condition` holds, letting other tasks run; records an issue
    /// instead of hanging when it never does.
    static func until(_ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async {
        for _ in 0..<2_000_000 {
            if condition() { return }
            await Task.yield()
        }
        Issue.record("the condition never held", sourceLocation: sourceLocation)
    }

    @Test("a caller cancelled while it waits leaves the line at once and never runs")
    func cancelledWaiter() async throws {
        let gate = AdmissionGate(limit: 1, queueLimit: 1)
        let latch = Latch()
        let ran = Box(false)
        let first = Task { try await gate.run { await latch.wait() } }
        await Self.until { gate.running == 1 }
        let waiter = Task { try await gate.run { ran.value = true } }
        await Self.until { gate.waiting == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.waiting == 0, "its place in the line is free")
        let next = Task { try await gate.run { 7 } }
        await Self.until { gate.waiting == 1 }
        latch.open()
        try await first.value
        #expect(try await next.value == 7)
        #expect(!ran.value)
        #expect(gate.running == 0)
    }

    @Test("at most `limit` run, `queueLimit` wait in arrival order, and the next caller is refused at once")
    func boundsAndOrder() async throws {
        let gate = AdmissionGate(limit: 1, queueLimit: 2)
        let latch = Latch()
        let order = Box<[String]>([])
        let first = Task {
            try await gate.run {
                await latch.wait()
                order.value.append("first")
            }
        }
        await Self.until { gate.running == 1 }
        let second = Task { try await gate.run { order.value.append("second") } }
        await Self.until { gate.waiting == 1 }
        let third = Task { try await gate.run { order.value.append("third") } }
        await Self.until { gate.waiting == 2 }

        await #expect(throws: AdmissionGate.Busy.self) { try await gate.run { order.value.append("fourth") } }
        #expect(order.value.isEmpty, "nothing ran past the gate while it was full")

        latch.open()
        try await first.value
        try await second.value
        try await third.value
        #expect(order.value == ["first", "second", "third"])
        #expect(gate.running == 0 && gate.waiting == 0)
        try await gate.run { order.value.append("after") }
        #expect(order.value.last == "after", "turns are handed back: the gate is usable again")
    }

    @Test("a failing body frees its turn")
    func failureFreesTurn() async throws {
        struct Boom: Error {}
        let gate = AdmissionGate(limit: 1, queueLimit: 0)
        await #expect(throws: Boom.self) { try await gate.run { throw Boom() } }
        #expect(try await gate.run { 42 } == 42)
    }

    @Test(
        "a saturated /cp/attest answers 503 with Retry-After but does not keep agents from registering; saturated registrations are closed for a retry; all work once drained"
    )
    func saturatedControlPlane() async throws {
        let latch = Latch()
        let registrations = AdmissionGate(limit: 1, queueLimit: 0)
        let attests = AdmissionGate(limit: 1, queueLimit: 0)
        // Quote 1 (a /cp/attest request) and quote 3 (the second registration) hang until the latch opens.
        let quotes: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { LatchedQuotes(inner: $0, latch: latch, held: [1, 3]) }
        try await ControlPlaneFixture.with(controlPlaneQuotes: quotes, quoting: registrations, attestQuoting: attests) { fixture in
            let nonce = String(repeating: "ab", count: 32)
            let url = try #require(URL(string: "http://127.0.0.1:\(fixture.port)/cp/attest?nonce=\(nonce)"))
            let held = Task { try await URLSession.shared.data(from: url) }
            await Self.until { attests.running == 1 }

            let (body, response) = try await URLSession.shared.data(from: url)
            let http = try #require(response as? HTTPURLResponse)
            #expect(http.statusCode == 503 && http.value(forHTTPHeaderField: "Retry-After") == "1")
            #expect(String(decoding: body, as: UTF8.self).contains("busy"))

            // Quote 2: registrations have their own gate.
            try await fixture.agent("dd-production-web-0-de1ea041").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(fixture.registry.snapshot().map(\.record.vm) == ["dd-production-web-0-de1ea041"])

            // Quote 3 hangs and fills the registration gate; the next agent is closed, retryably.
            let slow = Task {
                try await fixture.agent("dd-production-web-1-de1ea041").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            await Self.until { registrations.running == 1 }
            do {
                try await fixture.agent("dd-production-web-2-de1ea041").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
                Issue.record("a registration went through a full gate")
            } catch let failure as RegistrationClient.Failure {
                #expect(!failure.fatal, "busy is retryable: \(failure)")
            }
            #expect(try await fixture.cloudflare.listTunnels().map(\.name) == ["dd-production-web-0-de1ea041"], "nothing provisioned while busy")

            latch.open()
            let (_, heldResponse) = try await held.value
            #expect((heldResponse as? HTTPURLResponse)?.statusCode == 200)
            try await slow.value
            try await fixture.agent("dd-production-web-2-de1ea041").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(Set(fixture.registry.snapshot().map(\.record.vm)).count == 3)
        }
    }
}
