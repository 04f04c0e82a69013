import Agent
import Attestation
import AttestationSimulation
import Foundation
import Logging
import ProviderSupport
import Registration
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The agent's deadlines, on an injected clock: a stalled phase ends when (and only when) its
/// deadline passes on the clock; cancellation ends it at once without the clock; an HTTP error
/// at the register URL keeps the service retrying, with the error in its status.
@Suite struct AgentDeadlineTests {
    @Test("a server that never answers the upgrade is given up on when the upgrade deadline passes on the clock")
    func upgradeDeadline() async throws {
        let listener = try SilentListener()
        let clock = ManualClock()
        let deadlines = RegistrationDeadlines()
        let agent = try await ControlPlaneFixture.unreachableAgent(url: "ws://127.0.0.1:\(listener.port)/register")
        let phase = Box<RegistrationPhase?>(nil)
        let outcome = Box<(any Error)?>(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await agent.run(clock: clock, interval: .zero, heartbeats: 1, phase: { phase.value = $0 }, onBootstrap: { _ in })
                } catch {
                    outcome.value = error
                }
            }
            while !(phase.value == .upgrading && clock.sleeping == 1) { await Task.yield() }
            clock.advance(by: deadlines.upgrade - .milliseconds(1))
            #expect(outcome.value == nil && clock.sleeping == 1, "not before the deadline")
            clock.advance(by: .milliseconds(1))
            try await group.waitForAll()
        }
        let failure = try #require(outcome.value as? RegistrationClient.Failure)
        #expect(!failure.fatal && failure.description.contains("while upgrading"), "\(failure)")
    }

    @Test("a control plane silent after the upgrade is given up on when the handshake deadline passes on the clock")
    func helloDeadline() async throws {
        let latch = Latch()
        let held: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { LatchedQuotes(inner: $0, latch: latch) }
        try await ControlPlaneFixture.with(controlPlaneQuotes: held) { fixture in
            defer { latch.open() }
            let clock = ManualClock()
            let phase = Box<RegistrationPhase?>(nil)
            let outcome = Box<(any Error)?>(nil)
            let agent = fixture.agent("dd-production-web-0-de1ea041")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await agent.run(clock: clock, interval: .zero, heartbeats: 1, phase: { phase.value = $0 }, onBootstrap: { _ in })
                    } catch {
                        outcome.value = error
                    }
                }
                // The hello's send and receive each have a deadline: advance whenever one waits.
                while outcome.value == nil {
                    if phase.value == .awaitingHello && clock.sleeping >= 1 { clock.advance(by: RegistrationDeadlines().handshakeMessage) }
                    await Task.yield()
                }
                try await group.waitForAll()
            }
            let failure = try #require(outcome.value as? RegistrationClient.Failure)
            #expect(!failure.fatal && failure.description.contains("while awaiting-hello"), "\(failure)")
        }
    }

    @Test("cancellation (graceful shutdown) ends a stalled attempt at once, with no deadline passing")
    func cancellationEndsAStalledAttempt() async throws {
        let latch = Latch()
        let held: @Sendable (SimulatedQuoteSource) -> any QuoteSource = { LatchedQuotes(inner: $0, latch: latch) }
        try await ControlPlaneFixture.with(controlPlaneQuotes: held) { fixture in
            defer { latch.open() }
            let clock = ManualClock()
            let phase = Box<RegistrationPhase?>(nil)
            let outcome = Box<(any Error)?>(nil)
            let agent = fixture.agent("dd-production-web-0-de1ea041")
            let attempt = Task {
                do {
                    try await agent.run(clock: clock, interval: .zero, heartbeats: 1, phase: { phase.value = $0 }, onBootstrap: { _ in })
                } catch {
                    outcome.value = error
                }
            }
            while phase.value != .awaitingHello { await Task.yield() }
            attempt.cancel()
            // Bounded without the injected clock: a wait that ignored cancellation would hold
            // the attempt until the latch opens (at the end of this test), and fail below.
            let deadline = ContinuousClock.now + .seconds(20)
            while outcome.value == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(outcome.value is CancellationError, "\(String(describing: outcome.value))")
            latch.open()
            await attempt.value
        }
    }

    @Test("a refused upgrade (a wrong path) keeps the service retrying with backoff, the error in its status")
    func serviceRetriesHTTPErrors() async throws {
        try await ControlPlaneFixture.with { fixture in
            var client = fixture.agent("dd-production-web-0-de1ea041")
            client.url = "ws://127.0.0.1:\(fixture.port)/no-such-path"
            let status = AgentStatus(vm: "dd-production-web-0-de1ea041")
            let clock = ManualClock()
            var service = AgentService(
                client: client,
                connector: .none,
                status: status,
                heartbeatInterval: .seconds(10),
                http: HTTPTransport(timeout: .seconds(30)),
                clock: clock,
                logger: Logger(label: "test.agent-service")
            )
            service.maximumBackoff = .seconds(4)
            let configured = service
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await configured.run() }
                for attempt in 1...3 {
                    // Backing off: the backoff's sleep and the connector supervisor's.
                    while !(status.snapshot.attempts == attempt && status.snapshot.phase == .backingOff && clock.sleeping == 2) {
                        await Task.yield()
                    }
                    clock.advance(by: .seconds(4))
                }
                group.cancelAll()
            }
            let snapshot = status.snapshot
            #expect(snapshot.attempts >= 3 && snapshot.consecutiveFailures >= 3 && !snapshot.registered)
            #expect(snapshot.lastError?.contains("instead of a WebSocket upgrade") == true, "\(String(describing: snapshot.lastError))")
        }
    }
}

/// A loopback listener that never accepts: connects succeed (the kernel's backlog) and nothing
/// ever answers.
final class SilentListener: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw RawSocket.Failure(description: "cannot listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(self.descriptor) }
}
