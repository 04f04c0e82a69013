import Agent
import Attestation
import AttestationSimulation
import CloudflareProvider
import ControlPlane
import Crypto
import Emulators
import Encoding
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Reconciler
import Registration
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Registration over a real WebSocket against the control-plane service, with tunnel
/// provisioning in the Cloudflare emulator.
@Suite struct RegistrationServiceTests {
    static let vm = "dd-production-web-0-de1ea041"

    @Test("an attested agent registers: tunnel, ingress and DNS provisioned, bootstrap received, heartbeats recorded, stale after silence")
    func registers() async throws {
        try await ControlPlaneFixture.with { fixture in
            let bootstrap = Box<RegistrationMessage.BootstrapConfig?>(nil)
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 3) { bootstrap.value = $0 }
            let config = try #require(bootstrap.value)
            #expect(config.hostname == "\(Self.vm).devopsdefender.com")
            #expect(config.commandKey == fixture.commandKey.publicKey.rawRepresentation)
            #expect(config.agentID.hasPrefix("agent-") && !config.description.contains(config.tunnelToken))
            let tunnel = try #require(try await fixture.cloudflare.listTunnels().first { $0.name == Self.vm })
            #expect(try await fixture.cloudflare.token(id: tunnel.id) == config.tunnelToken)
            #expect(try await fixture.cloudflare.configuration(id: tunnel.id).config?.ingress.first?.hostname == config.hostname)
            let record = try #require(try await fixture.cloudflare.listDNSRecords(name: config.hostname).first)
            #expect(
                record.content == "\(tunnel.id).cfargotunnel.com" && record.comment == "managed-by=devopsdefender fleet=devopsdefender env=production"
            )

            let agents = fixture.registry.snapshot()
            #expect(agents.count == 1 && agents[0].record.heartbeats == 3 && !agents[0].stale)
            try await fixture.registryClock.sleep(for: .seconds(31))
            #expect(fixture.registry.snapshot().first?.stale == true)
            #expect(try await fixture.registry.listAgents().first?.health == .stale)

            // Registering again adopts the same tunnel and record: no twins.
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(try await fixture.cloudflare.listTunnels().filter { $0.name == Self.vm }.count == 1)
            #expect(try await fixture.cloudflare.listDNSRecords(name: config.hostname).count == 1)
            #expect(fixture.registry.snapshot().first?.stale == false, "a heartbeat brings it back")
        }
    }

    @Test("a wrong MRTD is refused and no tunnel is created")
    func wrongMRTD() async throws {
        try await ControlPlaneFixture.with { fixture in
            let quotes = SimulatedQuoteSource(authority: fixture.authority, mrTD: Array(repeating: 0xcd, count: 48))
            let error = await #expect(throws: RegistrationClient.Failure.self) {
                try await fixture.agent(Self.vm, quotes: quotes).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(error?.fatal == true && error?.description.contains("mrtd") == true, "\(String(describing: error))")
            #expect(fixture.server.journal.counts["cloudflare tunnels.create"] == nil)
            #expect(fixture.registry.snapshot().isEmpty)
        }
    }

    @Test("a quote bound to another key is refused")
    func foreignKey() async throws {
        try await ControlPlaneFixture.with { fixture in
            let error = await #expect(throws: RegistrationClient.Failure.self) {
                try await fixture.agent(Self.vm, quotes: ForeignKeyQuotes(authority: fixture.authority)).run(
                    clock: ContinuousClock(),
                    interval: .zero,
                    heartbeats: 1
                ) { _ in }
            }
            #expect(error?.description.contains("report-data") == true, "\(String(describing: error))")
            #expect(fixture.server.journal.counts["cloudflare tunnels.create"] == nil)
        }
    }

    @Test("simulated quotes are refused when the control plane pins Intel's root")
    func intelRoot() async throws {
        try await ControlPlaneFixture.with(trustIntelOnly: true) { fixture in
            let error = await #expect(throws: RegistrationClient.Failure.self) {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(error?.description.contains("pck-chain-untrusted") == true, "\(String(describing: error))")
        }
    }

    /// Opens a raw WebSocket, runs `body`, and reports whether the server closed the connection
    /// (the inbound stream ended) without answering.
    static func rawConnection(
        _ fixture: ControlPlaneFixture,
        counting received: Box<Int>? = nil,
        _ body: @escaping @Sendable (WebSocketOutboundWriter) async throws -> Void
    ) async throws -> (answered: Int, closed: Bool) {
        let result = Box((answered: 0, closed: false))
        try await WebSocketClient.connect(
            url: fixture.url,
            configuration: .init(maxFrameSize: 1 << 20, autoPing: .disabled),
            logger: Logger(label: "test.raw")
        ) { inbound, outbound, _ in
            try await body(outbound)
            var answered = 0
            for try await _ in inbound.messages(maxSize: 1 << 20) {
                answered += 1
                received?.value = answered
            }
            result.value = (answered, true)
        }
        return result.value
    }

    @Test(
        "a handshake that stalls (silent after the upgrade, or after the control plane's hello) is closed at its deadline; a registered agent is not"
    )
    func handshakeDeadline() async throws {
        let clock = ManualClock()
        try await ControlPlaneFixture.with(handshakeTimeout: .seconds(30), deadlineClock: clock) { fixture in
            // A registered agent first: its deadline passes while it heartbeats, and nothing happens.
            let heartbeats = Latch()
            let agent = Task {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 3) { _ in
                    await heartbeats.wait()
                }
            }
            await AdmissionGateTests.until { fixture.registry.snapshot().count == 1 && clock.sleeping == 1 }
            clock.advance(by: .seconds(31))
            heartbeats.open()
            try await agent.value
            #expect(fixture.registry.snapshot().first?.record.heartbeats == 3, "the deadline ended with the answer")

            // Silent after the upgrade, and silent after the hello: both closed when it passes.
            let hellos = Box(0)
            let outcomes = try await withThrowingTaskGroup(of: (answered: Int, closed: Bool).self) { group in
                group.addTask { try await Self.rawConnection(fixture) { _ in } }
                group.addTask {
                    try await Self.rawConnection(fixture, counting: hellos) { outbound in
                        var session = try RegistrationHandshake(side: .agent, staticKey: Curve25519.KeyAgreement.PrivateKey())
                        try await outbound.write(.binary(ByteBuffer(bytes: try session.start())))
                    }
                }
                await AdmissionGateTests.until { clock.sleeping == 2 && hellos.value == 1 }
                clock.advance(by: .seconds(31))
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.allSatisfy { $0.closed })
            #expect(outcomes.map(\.answered).sorted() == [0, 1], "the stalled one got its hello, then was closed")
            #expect(try await fixture.cloudflare.listTunnels().map(\.name) == [Self.vm], "nothing provisioned for the stalled ones")
        }
    }

    @Test("a client that ignores the close frame is still dropped once the deadline passes")
    func deadlineAgainstUncooperativeClient() async throws {
        let clock = ManualClock()
        try await ControlPlaneFixture.with(deadlineClock: clock) { fixture in
            let socket = try RawSocket(port: fixture.port)
            // Blocking reads on threads of their own: the server needs the cooperative ones.
            let upgrade = await RawHTTP.onThread { () -> [UInt8] in
                try? socket.send(RawSocket.registerUpgradeRequest)
                return (try? socket.receive()) ?? []
            }
            #expect(String(decoding: upgrade, as: UTF8.self).hasPrefix("HTTP/1.1 101"))
            await AdmissionGateTests.until { clock.sleeping == 1 }
            clock.advance(by: .seconds(31))
            // The client never answers the close frame; the server drops the connection anyway.
            let closed = await RawHTTP.onThread { (try? socket.readUntilClosed(timeoutSeconds: 20)) == true }
            #expect(closed, "the server closed the TCP connection")
        }
    }

    /// The production environment's check, with `Self.vm` in us-central1-a, over `directory`.
    static func instanceCheck(_ directory: MemoryInstances) -> AgentInstanceCheck {
        AgentInstanceCheck(directory: directory, fleet: "devopsdefender", environment: "production", zones: [Self.vm: "us-central1-a"])
    }

    static let instanceLabels = ["dd-fleet": "devopsdefender", "dd-env": "production", "dd-spec": "de1ea041aabbccdd"]

    @Test(
        "an attested agent is checked against the compute provider: the VM it names must exist, be the fleet's, run, and have its instance id and generation",
        arguments: [
            (InstanceFacts(id: "4242", status: "RUNNING", labels: instanceLabels), nil),
            (nil, "unknown-instance"),
            (InstanceFacts(id: "4243", status: "RUNNING", labels: instanceLabels), "instance-mismatch"),
            (InstanceFacts(id: "4242", status: "TERMINATED", labels: instanceLabels), "instance-not-running"),
            (InstanceFacts(id: "4242", status: "RUNNING", labels: instanceLabels.merging(["dd-fleet": "acme"]) { $1 }), "foreign-instance"),
            (InstanceFacts(id: "4242", status: "RUNNING", labels: instanceLabels.merging(["dd-env": "staging"]) { $1 }), "foreign-instance"),
            (
                InstanceFacts(id: "4242", status: "RUNNING", labels: instanceLabels.merging(["dd-spec": "0badcafe00000000"]) { $1 }),
                "generation-mismatch"
            ),
        ] as [(InstanceFacts?, String?)]
    )
    func instanceCheck(instance: InstanceFacts?, refusal: String?) async throws {
        let check = Self.instanceCheck(MemoryInstances(instances: instance.map { ["us-central1-a/\(Self.vm)": $0] } ?? [:]))
        try await ControlPlaneFixture.with(instanceCheck: check) { fixture in
            do {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
                #expect(refusal == nil, "registered although the instance check should refuse (\(refusal ?? ""))")
                #expect(fixture.registry.snapshot().map(\.record.vm) == [Self.vm])
            } catch let failure as RegistrationClient.Failure {
                let expected = try #require(refusal, "refused: \(failure)")
                #expect(failure.description.contains(expected), "\(failure)")
                // Only an instance id that is not this VM's stops the agent; the rest may change.
                #expect(failure.fatal == (expected == "instance-mismatch"), "\(failure)")
                #expect(try await fixture.cloudflare.listTunnels().isEmpty, "nothing provisioned for a refused agent")
            }
        }
    }

    @Test("when the compute provider cannot be asked, the registration ends without a verdict: nothing provisioned, the agent retries")
    func instanceLookupOutage() async throws {
        try await ControlPlaneFixture.with(instanceCheck: Self.instanceCheck(MemoryInstances(instances: [:], failing: true))) { fixture in
            do {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
                Issue.record("registered although the instance lookup failed")
            } catch let failure as RegistrationClient.Failure {
                #expect(!failure.fatal, "a failed lookup is no verdict: \(failure)")
            }
            #expect(try await fixture.cloudflare.listTunnels().isEmpty)
            #expect(fixture.registry.snapshot().isEmpty)
        }
    }

    @Test("garbage and oversized frames close that connection only; the server keeps serving others")
    func hostileFrames() async throws {
        try await ControlPlaneFixture.with { fixture in
            let garbage = try await Self.rawConnection(fixture) { outbound in
                try await outbound.write(.binary(ByteBuffer(bytes: (0..<100).map { _ in UInt8.random(in: 0...255) })))
            }
            #expect(garbage.closed && garbage.answered == 0)
            let oversized = try await Self.rawConnection(fixture) { outbound in
                try await outbound.write(.binary(ByteBuffer(repeating: 7, count: 70_000)))
            }
            #expect(oversized.closed && oversized.answered == 0)
            let text = try await Self.rawConnection(fixture) { outbound in try await outbound.write(.text("hello")) }
            #expect(text.closed && text.answered == 0)
            // Meanwhile, and afterwards, honest agents register.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await Self.rawConnection(fixture) { outbound in try await outbound.write(.binary(ByteBuffer(bytes: [1, 2, 3]))) }
                }
                for index in 0..<3 {
                    group.addTask {
                        try await fixture.agent("dd-production-web-\(index)-de1ea041").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) {
                            _ in
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(fixture.registry.snapshot().count == 3)
        }
    }

    /// The agent's side of a registration run by hand on a raw WebSocket: message 1, the hello,
    /// message 3 and the reply; then `then` gets the established session, the reply, the two
    /// frames sent, and the socket to go on with.
    static func handRegistration(
        _ fixture: ControlPlaneFixture,
        then:
            @escaping @Sendable (
                inout RegistrationHandshake, RegistrationMessage.Reply, (first: [UInt8], third: [UInt8]), HandSocket
            ) async throws -> Void
    ) async throws {
        let agentKey = Curve25519.KeyAgreement.PrivateKey()
        let quotes = SimulatedQuoteSource(authority: fixture.authority, mrTD: ControlPlaneFixture.mrTD)
        try await WebSocketClient.connect(
            url: fixture.url,
            configuration: .init(maxFrameSize: 65_535, autoPing: .disabled),
            logger: Logger(label: "test.by-hand")
        ) { inbound, outbound, _ in
            let socket = HandSocket(messages: inbound.messages(maxSize: 65_535).makeAsyncIterator(), outbound: outbound)
            var session = try RegistrationHandshake(side: .agent, staticKey: agentKey)
            let first = try session.start()
            try await socket.send(first)
            let hello = try session.readHello(try #require(try await socket.receive()))
            let binding = ReportDataBinding.reportData(noiseStaticKey: Array(agentKey.publicKey.rawRepresentation), session: [UInt8](hello.nonce))
            let third = try session.register(
                .init(quote: Data(try await quotes.quote(reportData: binding)), vmName: Self.vm, instanceID: "1", specGeneration: "de1ea041")
            )
            try await socket.send(third)
            let reply = try session.open(RegistrationMessage.Reply.self, try #require(try await socket.receive()))
            try await then(&session, reply, (first, third), socket)
        }
    }

    /// A raw registration socket: binary frames in and out.
    final class HandSocket: @unchecked Sendable {
        var messages: WebSocketInboundMessageStream.AsyncIterator
        let outbound: WebSocketOutboundWriter

        init(messages: WebSocketInboundMessageStream.AsyncIterator, outbound: WebSocketOutboundWriter) {
            self.messages = messages
            self.outbound = outbound
        }

        func receive() async throws -> [UInt8]? {
            guard case .binary(let buffer)? = try await self.messages.next() else { return nil }
            return Array(buffer.readableBytesView)
        }

        func send(_ bytes: [UInt8]) async throws { try await self.outbound.write(.binary(ByteBuffer(bytes: bytes))) }
    }

    @Test("tampered ciphertext on the registered channel closes the connection")
    func tamperedCiphertext() async throws {
        try await ControlPlaneFixture.with { fixture in
            let outcome = Box((acks: 0, closed: false))
            try await Self.handRegistration(fixture) { session, reply, _, socket in
                guard case .bootstrap = reply else {
                    Issue.record("not accepted")
                    return
                }
                var frame = try session.seal(RegistrationMessage.Heartbeat(sequence: 0, status: "ready", workloads: []))
                frame[frame.count / 2] ^= 0x01
                try await socket.send(frame)
                var acks = 0
                while try await socket.receive() != nil { acks += 1 }
                outcome.value = (acks, true)
            }
            #expect(outcome.value.closed && outcome.value.acks == 0)
            #expect(fixture.registry.snapshot().first?.record.heartbeats == 0)
        }
    }

    @Test("/cp/attest returns a quote binding this control plane's key and the nonce; /health lists agents")
    func attestAndHealth() async throws {
        try await ControlPlaneFixture.with { fixture in
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            let nonce = (0..<32).map { _ in UInt8.random(in: 0...255) }
            let hex = Hex.encode(nonce)
            let (attestData, _) = try await URLSession.shared.data(
                from: try #require(URL(string: "http://127.0.0.1:\(fixture.port)/cp/attest?nonce=\(hex)"))
            )
            let attest = try #require(try JSONSerialization.jsonObject(with: attestData) as? [String: String])
            let quote = try TDXQuote(Array(try #require(Data(base64Encoded: attest["quote"] ?? ""))))
            let expected = ReportDataBinding.reportData(noiseStaticKey: Array(fixture.controlPlaneKey.publicKey.rawRepresentation), session: nonce)
            #expect(Array(quote.body.reportData.bytes) == expected)
            let (bad, response) = try await URLSession.shared.data(
                from: try #require(URL(string: "http://127.0.0.1:\(fixture.port)/cp/attest?nonce=zz"))
            )
            #expect((response as? HTTPURLResponse)?.statusCode == 400 && String(decoding: bad, as: UTF8.self).contains("64 hex"))
            let (healthData, _) = try await URLSession.shared.data(from: try #require(URL(string: "http://127.0.0.1:\(fixture.port)/health")))
            let health = try #require(try JSONSerialization.jsonObject(with: healthData) as? [String: Any])
            #expect(health["status"] as? String == "ok" && health["agents"] as? Int == 1 && health["healthy"] as? Int == 1)
        }
    }

    @Test("a registration replayed on a new connection is refused: it cannot decrypt under new keys")
    func replayedRegistration() async throws {
        try await ControlPlaneFixture.with { fixture in
            let captured = Box<(first: [UInt8], third: [UInt8])?>(nil)
            try await Self.handRegistration(fixture) { _, reply, frames, _ in
                guard case .bootstrap = reply else { return }
                captured.value = frames
            }
            let frames = try #require(captured.value)
            #expect(fixture.registry.snapshot().count == 1)
            let replay = try await Self.rawConnection(fixture) { outbound in
                try await outbound.write(.binary(ByteBuffer(bytes: frames.first)))
                try await outbound.write(.binary(ByteBuffer(bytes: frames.third)))
            }
            #expect(replay.closed && replay.answered == 1, "only message 2 is answered: \(replay)")
            #expect(fixture.server.journal.counts["cloudflare tunnels.create"] == 1, "no second provisioning")
            #expect(fixture.registry.snapshot().first?.record.heartbeats == 0)
        }
    }

    @Test("an attested agent claiming a VM name outside the environment is refused, and nothing is provisioned")
    func unknownVM() async throws {
        let admits: @Sendable (String) -> Bool = { $0.hasPrefix("dd-production-web-") }
        try await ControlPlaneFixture.with(admits: admits) { fixture in
            let error = await #expect(throws: RegistrationClient.Failure.self) {
                try await fixture.agent("dd-production-cp-ff1b95c2").run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(error?.fatal == true && error?.description.contains("unknown-vm") == true, "\(String(describing: error))")
            #expect(fixture.server.journal.counts["cloudflare tunnels.create"] == nil)
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(fixture.registry.snapshot().map(\.record.vm) == [Self.vm])
        }
    }

    @Test("a second TD claiming a live agent's VM gets nothing until that agent goes stale")
    func secondClaimant() async throws {
        try await ControlPlaneFixture.with { fixture in
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            let error = await #expect(throws: RegistrationClient.Failure.self) {
                try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            }
            #expect(error?.fatal == false && error?.description.contains("already-registered") == true, "\(String(describing: error))")
            try await fixture.registryClock.sleep(for: .seconds(31))
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(fixture.registry.snapshot().first?.stale == false)
        }
    }
}
