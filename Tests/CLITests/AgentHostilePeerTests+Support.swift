import Attestation
import AttestationSimulation
import Crypto
import Foundation
import ProviderSupport
import Registration
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension AgentHostilePeerTests {
    typealias Background = RegistrationEndToEndTests.Background
    /// Starts an agent against the peer with extra flags; its log is named after the label.
    typealias Runner = (_ flags: [String], _ label: String) throws -> Background

    /// Runs `body` with a peer playing `peerCase` (its quotes from a fresh simulated authority
    /// the agent trusts), stopping the peer and every agent afterwards. The agents register at
    /// the peer, or at `registerPort` when given.
    static func withPeer(
        _ peerCase: Case,
        registerPort: Int? = nil,
        _ body: (HostilePeer, Stalls, Runner) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = try SimulatedTDXAuthority(notBefore: Date().addingTimeInterval(-86_400))
        let authorityFile = directory.appendingPathComponent("authority.json")
        try authority.exported().write(to: authorityFile)
        let stalls = Stalls()
        let peer = try HostilePeer { connection in try peerCase.behaviour(connection, authority, stalls) }
        var agents: [Background] = []
        defer {
            for agent in agents { agent.kill() }
            peer.stop()
        }
        let arguments = [
            "agent", "--register-url", "ws://127.0.0.1:\(registerPort ?? peer.port)/register", "--vm-name", Self.vm, "--instance-id", "1",
            "--cp-mrtd", String(repeating: "ab", count: 48), "--quote-source", "simulated", "--sim-authority", authorityFile.path,
            "--trust-simulated", "--connector", "none", "--health-listen", "127.0.0.1:0",
        ]
        try await body(peer, stalls) { flags, label in
            let agent = try Background(arguments + flags, environment: [:], log: directory.appendingPathComponent("\(label).log"))
            agents.append(agent)
            return agent
        }
    }

    /// The agent comes back to the peer (three connections at least) without exiting, and its
    /// /health shows the attempts and the last error.
    static func expectRetries(_ agent: Background, peer: HostilePeer, lastError: String) async throws {
        let first = peer.accepted
        do {
            try await RegistrationEndToEndTests.eventually("three more connections at the peer", timeout: .seconds(60)) {
                peer.accepted >= first + 3 || !agent.process.isRunning
            }
        } catch {
            Issue.record("\(error): \(peer.accepted - first) connections\n\(agent.output.suffix(2000))")
            return
        }
        #expect(agent.process.isRunning, "the agent kept going: \(agent.output.suffix(2000))")
        // The status between two attempts (an agent that registers before it fails shows no
        // error while registered).
        var health: [String: Any] = [:]
        do {
            try await RegistrationEndToEndTests.eventually("the last error on /health", timeout: .seconds(30)) {
                health = try await Self.health(agent)
                return (health["lastError"] as? String)?.contains(lastError) == true
            }
        } catch {
            Issue.record("\(error): \(health)")
        }
        #expect((health["attempts"] as? Int ?? 0) >= 3 && (health["consecutiveFailures"] as? Int ?? 0) >= 1, "\(health)")
        #expect(agent.output.contains("registration attempt failed; retrying"), "the log says so: \(agent.output.suffix(2000))")
    }

    /// SIGTERM ends the agent, successfully, within ``exitBound``; prints the time it took.
    static func expectExitOnSIGTERM(_ agent: Background, state: String) async throws {
        #expect(agent.process.isRunning, "\(agent.output.suffix(2000))")
        let sent = ContinuousClock.now
        agent.kill(SIGTERM)
        // Polled every 10 ms (separate processes share no clock), so the figure printed is close.
        while agent.process.isRunning && sent.duration(to: .now) < Self.exitBound { try await Task.sleep(for: .milliseconds(10)) }
        guard !agent.process.isRunning else {
            Issue.record("SIGTERM did not end the agent within \(Self.exitBound) (\(state))\n\(agent.output.suffix(2000))")
            return
        }
        print("agent exit on SIGTERM (\(state)): \(sent.duration(to: .now))")
        #expect(agent.process.terminationStatus == 0, "\(agent.output.suffix(2000))")
    }

    /// The agent's /health JSON (its port from the line it prints at start).
    static func health(_ agent: Background) async throws -> [String: Any] {
        var port: Substring?
        try await RegistrationEndToEndTests.eventually("the agent's health port", timeout: .seconds(30)) {
            port = agent.output.split(separator: "\n").first { $0.hasPrefix("agent health on 127.0.0.1:") }?
                .dropFirst("agent health on 127.0.0.1:".count).prefix { $0.isNumber }
            return port != nil
        }
        let response = try await HTTPTransport(timeout: .seconds(30)).send(
            method: "GET",
            url: "http://127.0.0.1:\(port ?? "0")/health",
            headers: [],
            body: nil
        )
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Plays an attested control plane (simulated TDX, `mrTD`) up to and including reading the
    /// agent's registration (Noise message 3); returns the established session.
    static func handshake(_ connection: PeerConnection, authority: SimulatedTDXAuthority, mrTD: [UInt8] = mrTD) throws -> RegistrationHandshake {
        var session = try Self.hello(connection, authority: authority, mrTD: mrTD)
        _ = try session.readRegistration(try connection.readFrame())
        return session
    }

    /// Plays an attested control plane up to its hello (Noise message 2): the agent then quotes.
    static func hello(_ connection: PeerConnection, authority: SimulatedTDXAuthority, mrTD: [UInt8] = mrTD) throws -> RegistrationHandshake {
        try connection.acceptUpgrade(try connection.readRequest())
        let key = Curve25519.KeyAgreement.PrivateKey()
        var session = try RegistrationHandshake(side: .controlPlane, staticKey: key)
        try session.readStart(try connection.readFrame())
        let nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let reportData = ReportDataBinding.reportData(noiseStaticKey: Array(key.publicKey.rawRepresentation), session: nonce)
        let quote = try authority.quote(SimulatedQuoteRequest(mrTD: mrTD, reportData: reportData))
        try connection.writeFrame(try session.hello(RegistrationMessage.ControlPlaneHello(nonce: Data(nonce), quote: Data(quote))))
        return session
    }
}
