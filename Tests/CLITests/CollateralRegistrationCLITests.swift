import Attestation
import AttestationSimulation
import Emulators
import Encoding
import Foundation
import GCEProvider
import ProviderSupport
import TestSupport
import Testing

/// TCB status at registration, with real processes: a control plane given a PCCS judges every
/// agent's platform with collateral it fetches and caches; while the PCCS is down it
/// refuses with `collateral-unavailable`, which the agent retries rather than gives up on; an
/// agent given a PCCS (through `DD_PCCS_URL`) judges the control plane's platform the same way.
@Suite struct CollateralRegistrationCLITests {
    typealias Background = RegistrationEndToEndTests.Background

    @Test("collateral from a PCCS: unavailable is retried, then both sides judge the TCB status with it")
    func registrationWithCollateral() async throws {
        let (directory, authorityFile, fleetFile) = try await RegistrationEndToEndTests.scratchFleet("dd-collateral", agents: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = try SimulatedTDXAuthority(exported: try Data(contentsOf: authorityFile))
        let pccs = PCCSEmulator(
            bundle: try authority.collateral(issued: Date().addingTimeInterval(-86_400)),
            fmspc: Hex.encode(authority.platform.fmspc)
        )

        let agentPCCS = PCCSEmulator(bundle: pccs.bundle, fmspc: pccs.fmspc)
        try await LoopbackServer.withRunning(agentPCCS.router()) { agentPCCSPort in
            try await CLIFleet.with(pccs: pccs) { fleet in
                let applied = try await fleet.run(["apply", fleetFile.path, "--auto-approve"])
                #expect(applied.status == 0, "\(applied.standardError)")
                let pccsURL = try #require(fleet.environment["DD_PCCS_URL"])
                let instances = try await fleet.gce.aggregatedInstances().values.flatMap { $0 }.filter { $0.name.contains("-web-") }
                #expect(instances.count == 2)
                // The PCCS is down until the first agent has been refused for it.
                fleet.server.faults.add([FaultInjector.Rule(route: "pccs.pckcrl", status: 503)])
                let simulated = ["--quote-source", "simulated", "--sim-authority", authorityFile.path, "--trust-simulated"]
                var environment = fleet.environment
                environment["DD_PCCS_URL"] = nil
                var processes: [Background] = []
                defer {
                    for process in processes { process.kill(SIGTERM) }
                    for process in processes { process.kill() }
                }
                let (controlPlane, cpPort) = try await RegistrationEndToEndTests.startControlPlane(
                    [fleetFile.path, "--pccs", pccsURL] + simulated,
                    environment: environment,
                    directory: directory
                )
                processes.append(controlPlane)
                func agent(_ index: Int, pccs: String?) throws -> Background {
                    let instance = instances[index]
                    let process = try Background(
                        [
                            "agent", "--fleet", fleetFile.path, "--register-url", "ws://127.0.0.1:\(cpPort)/register", "--vm-name", instance.name,
                            "--instance-id", instance.id ?? "?", "--heartbeat", "1", "--max-backoff", "1", "--health-listen", "127.0.0.1:0",
                            "--connector", "none",
                        ] + simulated,
                        environment: pccs.map { ["DD_PCCS_URL": $0] } ?? [:],
                        log: directory.appendingPathComponent("agent-\(index).log")
                    )
                    processes.append(process)
                    return process
                }
                // Agent 0 judges no TCB status (an empty DD_PCCS_URL; it warns), so only the control plane's check is in play.
                let first = try agent(0, pccs: "")
                try await RegistrationEndToEndTests.eventually("the control plane to refuse for want of collateral") {
                    first.output.contains("collateral-unavailable")
                }
                #expect(first.output.contains("no PCCS"), "\(first.output.suffix(2000))")
                #expect(first.process.isRunning, "collateral-unavailable is retried, not final:\n\(first.output.suffix(2000))")
                fleet.server.faults.clear()
                fleet.server.journal.reset()

                // Agent 1 asks a PCCS of its own, so its fetches are told apart from the control plane's.
                let second = try agent(1, pccs: "http://127.0.0.1:\(agentPCCSPort)")
                let http = HTTPTransport(timeout: .seconds(30))
                func registered() async throws -> Set<String> {
                    let response = try await http.send(method: "GET", url: "http://127.0.0.1:\(cpPort)/health", headers: [], body: nil)
                    let list = (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["list"] as? [[String: Any]] ?? []
                    return Set(list.filter { ($0["heartbeats"] as? Int ?? 0) >= 1 }.compactMap { $0["vm"] as? String })
                }
                do {
                    try await RegistrationEndToEndTests.eventually("both agents registered") {
                        (try? await registered()) == Set(instances.map(\.name))
                    }
                } catch {
                    Issue.record("\(error)\ncontrol plane:\n\(controlPlane.output.suffix(2000))\nagent 1:\n\(second.output.suffix(2000))")
                    return
                }
                // After the outage the control plane fetched collateral to judge the agents, and
                // agent 1 fetched its own to judge the control plane.
                let fetched = { (journal: RequestJournal) in journal.all.filter { $0.route == "pccs pckcrl" && $0.status == 200 }.count }
                #expect(fetched(fleet.server.journal) >= 1, "\(fleet.server.journal.counts)")
                #expect(fetched(agentPCCS.journal) >= 1, "\(agentPCCS.journal.counts)")
                #expect(!second.output.contains("no PCCS"))
            }
        }
    }
}
