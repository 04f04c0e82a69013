import Attestation
import AttestationSimulation
import Crypto
import Foundation
import ProviderSupport
import Registration
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `devopsdefender agent` against hostile loopback peers: whatever the peer does —
/// close before the upgrade, stall mid-response, go silent after the upgrade, mid-handshake or
/// after registration, answer 403 or 404, fail attestation — the agent retries (counted at the
/// peer, shown on its /health) and SIGTERM ends it within a bound in that very state. Only a
/// refusal inside the attested channel stops it.
@Suite struct AgentHostilePeerTests {
    static let mrTD = [UInt8](repeating: 0xab, count: 48)
    static let vm = "dd-production-web-0-de1ea041"
    /// The longest SIGTERM may take to end the agent: generous for a loaded 2-core machine; the
    /// agent takes well under a second, and the old one never exited.
    static let exitBound: Duration = .seconds(30)

    /// A misbehaviour, and what the agent's last error says about it.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var lastError: String
        /// The phase `/health` shows while the peer holds the agent (nil: it never holds it).
        var phase: String? = nil
        var behaviour: @Sendable (PeerConnection, SimulatedTDXAuthority, Stalls) throws -> Void
        var testDescription: String { self.name }
    }

    /// Counts the connections a peer holds stalled.
    final class Stalls: Sendable {
        private let count = Mutex(0)
        var value: Int { self.count.withLock { $0 } }
        func stall(_ connection: PeerConnection) {
            self.count.withLock { $0 += 1 }
            connection.stall()
        }
    }

    static let wedgingPeers: [Case] = [
        Case(name: "closes before the upgrade response", lastError: "upgrade") { connection, _, _ in
            _ = try connection.readRequest()
        },
        Case(name: "sends a partial upgrade response, then stalls", lastError: "while upgrading", phase: "upgrading") { connection, _, stalls in
            _ = try connection.readRequest()
            try connection.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
            stalls.stall(connection)
        },
        Case(name: "is silent after the upgrade", lastError: "while awaiting-hello", phase: "awaiting-hello") { connection, _, stalls in
            try connection.acceptUpgrade(try connection.readRequest())
            stalls.stall(connection)
        },
        Case(name: "is silent mid-handshake (after the registration)", lastError: "while awaiting-reply", phase: "awaiting-reply") {
            connection,
            authority,
            stalls in
            _ = try AgentHostilePeerTests.handshake(connection, authority: authority)
            stalls.stall(connection)
        },
        Case(name: "never acknowledges a heartbeat", lastError: "while awaiting-acknowledgement", phase: "awaiting-acknowledgement") {
            connection,
            authority,
            stalls in
            var session = try AgentHostilePeerTests.handshake(connection, authority: authority)
            let config = RegistrationMessage.BootstrapConfig(agentID: "a1", hostname: "h", tunnelToken: "t", commandKey: Data(count: 32))
            try connection.writeFrame(try session.seal(RegistrationMessage.Reply.bootstrap(config)))
            stalls.stall(connection)
        },
    ]

    @Test("a wedging peer: the agent retries, and SIGTERM ends it within the bound in that state", arguments: wedgingPeers)
    func wedgingPeer(_ peerCase: Case) async throws {
        try await Self.withPeer(peerCase) { peer, stalls, run in
            // Short deadlines: the agent must give up on the peer and come back, again and again.
            let retrying = try run(["--phase-timeout", "1", "--max-backoff", "1"], "retrying")
            try await Self.expectRetries(retrying, peer: peer, lastError: peerCase.lastError)
            try await Self.expectExitOnSIGTERM(retrying, state: "\(peerCase.name), fast retries")
            // Long deadlines: SIGTERM lands while the agent waits on the peer, no deadline near.
            let waiting = try run(["--phase-timeout", "600", "--heartbeat", "1"], "waiting")
            let before = (peer.accepted, stalls.value)
            try await RegistrationEndToEndTests.eventually("the agent to reach the peer's misbehaviour", timeout: .seconds(60)) {
                peer.accepted > before.0 && (peerCase.phase == nil || stalls.value > before.1)
            }
            if let phase = peerCase.phase {
                try await RegistrationEndToEndTests.eventually("/health to show phase \(phase)", timeout: .seconds(30)) {
                    try await Self.health(waiting)["phase"] as? String == phase
                }
            }
            try await Self.expectExitOnSIGTERM(waiting, state: peerCase.name)
        }
    }

    @Test("a connect that never completes (a full listen queue): the agent retries, and SIGTERM ends it while it connects")
    func connectNeverCompletes() async throws {
        let listener = try FullListener()
        let peerCase = Case(name: "never completes the TCP handshake", lastError: "connect") { _, _, _ in }
        try await Self.withPeer(peerCase, registerPort: listener.port) { _, _, run in
            let retrying = try run(["--phase-timeout", "1", "--max-backoff", "1"], "retrying")
            var health: [String: Any] = [:]
            do {
                try await RegistrationEndToEndTests.eventually("three failed connects on /health", timeout: .seconds(60)) {
                    health = try await Self.health(retrying)
                    return (health["attempts"] as? Int ?? 0) >= 3 && (health["lastError"] as? String)?.contains("connect") == true
                }
            } catch {
                Issue.record("\(error): \(health)\n\(retrying.output.suffix(2000))")
            }
            try await Self.expectExitOnSIGTERM(retrying, state: "\(peerCase.name), fast retries")
            // A long deadline: SIGTERM lands while the connect is still pending.
            let waiting = try run(["--phase-timeout", "600"], "waiting")
            try await RegistrationEndToEndTests.eventually("the agent to be connecting", timeout: .seconds(60)) {
                try await Self.health(waiting)["phase"] as? String == "connecting"
            }
            try await Self.expectExitOnSIGTERM(waiting, state: peerCase.name)
        }
        withExtendedLifetime(listener) {}
    }

    @Test("a quote that blocks (EasyEnclave's socket never answers): SIGTERM still ends the agent, with status 0")
    func blockedQuote() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-ee-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let socketPath = directory.appendingPathComponent("agent.sock").path
        let easyEnclave = try SilentUnixSocket(path: socketPath)
        defer { easyEnclave.stop() }
        let peerCase = Case(name: "answers the hello; the agent's quote then blocks", lastError: "") { connection, authority, stalls in
            _ = try AgentHostilePeerTests.hello(connection, authority: authority)
            stalls.stall(connection)
        }
        try await Self.withPeer(peerCase) { _, _, run in
            let agent = try run(["--quote-source", "easyenclave", "--easyenclave-socket", socketPath], "quoting")
            try await RegistrationEndToEndTests.eventually("the agent to ask EasyEnclave for its quote", timeout: .seconds(60)) {
                easyEnclave.accepted >= 1
            }
            try await Self.expectExitOnSIGTERM(agent, state: peerCase.name)
        }
    }

    @Test("HTTP 403 and 404 at the register URL are retried, never final", arguments: [403, 404])
    func httpRefusalIsRetried(_ status: Int) async throws {
        let peerCase = Case(name: "answers \(status)", lastError: "HTTP \(status)") { connection, _, _ in
            _ = try connection.readRequest()
            try connection.write("HTTP/1.1 \(status) No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        try await Self.withPeer(peerCase) { peer, _, run in
            let agent = try run(["--max-backoff", "1"], "http")
            try await Self.expectRetries(agent, peer: peer, lastError: peerCase.lastError)
            try await Self.expectExitOnSIGTERM(agent, state: peerCase.name)
            // Long backoffs: SIGTERM lands while the agent waits to try again.
            let backingOff = try run(["--max-backoff", "600"], "backing-off")
            try await RegistrationEndToEndTests.eventually("/health to show phase backing-off", timeout: .seconds(60)) {
                try await Self.health(backingOff)["phase"] as? String == "backing-off"
            }
            try await Self.expectExitOnSIGTERM(backingOff, state: "\(peerCase.name), backing off")
        }
    }

    @Test("a control plane that fails attestation is retried, never final")
    func failedAttestationIsRetried() async throws {
        let peerCase = Case(name: "fails attestation", lastError: "failed attestation: mrtd") { connection, authority, _ in
            _ = try AgentHostilePeerTests.handshake(connection, authority: authority, mrTD: Array(repeating: 0xcd, count: 48))
        }
        try await Self.withPeer(peerCase) { peer, _, run in
            let agent = try run(["--max-backoff", "1"], "impostor")
            try await Self.expectRetries(agent, peer: peer, lastError: peerCase.lastError)
            try await Self.expectExitOnSIGTERM(agent, state: peerCase.name)
        }
    }

    @Test("a refusal inside the attested channel is final: exit 1 with the reason")
    func attestedRefusalIsFinal() async throws {
        let peerCase = Case(name: "refuses", lastError: "") { connection, authority, _ in
            var session = try AgentHostilePeerTests.handshake(connection, authority: authority)
            let refusal = RegistrationMessage.Refusal(codes: ["unknown-vm"], message: "no such agent VM in this environment")
            try connection.writeFrame(try session.seal(RegistrationMessage.Reply.refusal(refusal)))
        }
        try await Self.withPeer(peerCase) { peer, _, run in
            let agent = try run(["--max-backoff", "1"], "refused")
            try await RegistrationEndToEndTests.eventually("the agent to stop", timeout: .seconds(60)) { !agent.process.isRunning }
            #expect(agent.process.terminationStatus == 1, "\(agent.output.suffix(2000))")
            #expect(agent.output.contains("registration refused (unknown-vm): no such agent VM in this environment"), "\(agent.output.suffix(2000))")
            #expect(peer.accepted == 1, "no retry after a final refusal")
        }
    }
}
