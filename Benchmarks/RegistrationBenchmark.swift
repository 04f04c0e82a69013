import Agent
import Attestation
import AttestationSimulation
import CloudflareProvider
import ControlPlane
import Crypto
import Emulators
import Foundation
import Logging
import ProviderSupport
import Reconciler
import Registration
import Spec
import Synchronization

/// Registrations per second at the control plane: `concurrency` agents at once, each running
/// the full exchange over a real WebSocket (Noise XX, both quotes verified, tunnel + ingress +
/// DNS + token from the Cloudflare emulator, bootstrap reply), `rounds` times over. Prints
/// throughput and the p50 / p99 of one registration's latency.
struct RegistrationBenchmark {
    var concurrency = 200
    var rounds = 3

    func run() async throws {
        let mrTD = [UInt8](repeating: 0xab, count: 48)
        let policy = AttestationPolicy(allowedMRTD: [mrTD])
        let authority = try SimulatedTDXAuthority(notBefore: Date().addingTimeInterval(-86_400))
        let trust = try authority.trustAnchor
        let server = try EmulatorServer(cloudflare: .init(rateLimit: .init(requests: 10_000_000, per: .seconds(1))))
        guard let configuration = server.cloudflare?.configuration else { throw BenchmarkError(message: "no Cloudflare emulator") }
        let logger = { () -> Logger in
            var logger = Logger(label: "bench.registration")
            logger.logLevel = .error
            return logger
        }()
        let line = try await LoopbackServer.withRunning(server.router(), logger: logger) { emulatorPort in
            let cloudflare = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: "http://127.0.0.1:\(emulatorPort)/client/v4",
                clock: ContinuousClock(),
                limit: .init(requests: 10_000_000, per: .seconds(1))
            )
            let edge = CloudflareFleetAdapter(client: cloudflare)
            let clock = ContinuousClock()
            let handler = RegistrationHandler(
                staticKey: Curve25519.KeyAgreement.PrivateKey(),
                quotes: SimulatedQuoteSource(authority: authority, mrTD: mrTD),
                verifier: RegistrationVerifier(
                    quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: trust)),
                    policy: policy,
                    nonces: NonceRegistry(clock: clock)
                ),
                provisioner: PortTunnelProvisioner(
                    tunnels: edge,
                    dns: edge,
                    token: { try await cloudflare.token(id: $0) },
                    journal: MemoryJournal(),
                    wants: { TunnelWants.agent($0, fleet: "bench", environment: "production", domain: "bench.example") },
                    now: { Int64(Date().timeIntervalSince1970) }
                ),
                registry: AgentRegistry(clock: clock, staleAfter: .seconds(30), wallClock: { Int64(Date().timeIntervalSince1970) }),
                commandKey: Curve25519.Signing.PrivateKey().publicKey,
                logger: logger
            )
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let controlPlane = ControlPlaneServer(handler: handler, configuration: .init(host: "127.0.0.1", port: 0)) { port in
                continuation.yield(port)
                continuation.finish()
            }
            return try await LoopbackServer.withRunning(service: controlPlane, ports: ports, logger: logger) { port in
                let helloVerifier = ControlPlaneHelloVerifier(quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: trust)), policy: policy)
                let latencies = Tally()
                let started = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for agent in 0..<self.concurrency {
                        group.addTask {
                            for round in 0..<self.rounds {
                                let client = RegistrationClient(
                                    url: "ws://127.0.0.1:\(port)/register",
                                    staticKey: Curve25519.KeyAgreement.PrivateKey(),
                                    quotes: SimulatedQuoteSource(authority: authority, mrTD: mrTD),
                                    identity: .init(
                                        vmName: "dd-production-p\(round)-\(agent)-0123abcd",
                                        instanceID: "\(agent)",
                                        specGeneration: "0123abcd"
                                    ),
                                    controlPlane: helloVerifier,
                                    logger: logger
                                )
                                let begin = ContinuousClock.now
                                do {
                                    try await client.run(clock: ContinuousClock(), interval: .zero, heartbeats: 0) { _ in }
                                    let seconds = begin.duration(to: .now).seconds
                                    latencies.record(seconds)
                                } catch {
                                    latencies.fail()
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let elapsed = started.duration(to: .now).seconds
                let sorted = latencies.values.sorted()
                let percentile = { (p: Double) in sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
                return StructuredValue.object([
                    ("benchmark", .string("registration.concurrent")),
                    ("concurrentAgents", .integer(self.concurrency)),
                    ("registrations", .integer(sorted.count)),
                    ("failures", .integer(latencies.failures)),
                    ("registrationsPerSecond", .string(String(format: "%.0f", Double(sorted.count) / elapsed))),
                    ("p50Milliseconds", .string(String(format: "%.1f", percentile(0.50) * 1000))),
                    ("p99Milliseconds", .string(String(format: "%.1f", percentile(0.99) * 1000))),
                    ("includes", .string("WebSocket + Noise XX + both quotes verified + tunnel, ingress, DNS, token from the Cloudflare emulator")),
                ])
            }
        }
        print(line.json())
    }
}

/// Latencies and failures, shared by the agents' tasks.
final class Tally: Sendable {
    private let state = Mutex<(values: [Double], failures: Int)>(([], 0))

    func record(_ seconds: Double) { self.state.withLock { $0.values.append(seconds) } }
    func fail() { self.state.withLock { $0.failures += 1 } }
    var values: [Double] { self.state.withLock { $0.values } }
    var failures: Int { self.state.withLock { $0.failures } }
}
