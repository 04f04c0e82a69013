import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A control plane and 20 agents as separate `devopsdefender` processes against the Cloudflare
/// emulator: every agent attests (simulated TDX) and registers, gets its tunnel and DNS record,
/// connects its stand-in connector and heartbeats; a killed agent turns stale after the timeout.
/// Two of the agents are configured as on a fleet VM: from their instance's metadata server (the
/// GCE emulator's), which serves the `ee-config` apply wrote (name, control-plane policy) and the
/// instance id, with no fleet file.
@Suite struct RegistrationEndToEndTests {
    static let agents = 20
    static let mrtd = String(repeating: "ab", count: 48)

    /// A one-environment fleet with `agents` web VMs whose control plane and agents must have `mrtd`.
    static func fleet(agents: Int) -> String {
        """
        apiVersion: devopsdefender.com/v1
        kind: Fleet
        metadata: {name: devopsdefender, owner: {github: devopsdefender}}
        providers:
          gce: {project: dd-prod, zones: [us-central1-a], image: {family: easyenclave-stable, project: easyenclave}}
          cloudflare: {accountId: 0123456789abcdef0123456789abcdef, zoneId: fedcba9876543210fedcba9876543210, domain: devopsdefender.com, apiToken: {env: DD_CF_API_TOKEN}}
        attestation:
          policy:
            mrtd: [\(mrtd)]
        environments:
          production:
            hostname: app.{domain}
            release: {repo: devopsdefender/dd, asset: devopsdefender, tag: v1.0.0}
            controlPlane: {machineType: c3-standard-4}
            pools: [{name: web, count: \(agents)}]

        """
    }

    /// A new scratch directory holding a simulated TDX authority whose quotes have ``mrtd``
    /// (`sim/authority.json`) and ``fleet(agents:)`` (`fleet.yaml`); the caller removes it.
    static func scratchFleet(_ label: String, agents: Int) async throws -> (directory: URL, authority: URL, fleetFile: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sim = try await CLITests.runOffPool([
            "attest", "quote", "--sim", "--mrtd", Self.mrtd, "--output-dir", directory.appendingPathComponent("sim").path,
        ])
        #expect(sim.status == 0, "\(sim.standardError)")
        let fleetFile = directory.appendingPathComponent("fleet.yaml")
        try Self.fleet(agents: agents).write(to: fleetFile, atomically: true, encoding: .utf8)
        return (directory, directory.appendingPathComponent("sim/authority.json"), fleetFile)
    }

    /// Starts `control-plane` with `arguments` on a free loopback port (logging to `cp.log` in
    /// `directory`) and waits until it listens; returns the process and its port.
    static func startControlPlane(_ arguments: [String], environment: [String: String], directory: URL) async throws -> (Background, port: String) {
        let portFile = directory.appendingPathComponent("cp.port")
        let controlPlane = try Background(
            ["control-plane"] + arguments + ["--listen", "127.0.0.1:0", "--port-file", portFile.path],
            environment: environment,
            log: directory.appendingPathComponent("cp.log")
        )
        func port() -> String? {
            let text = ((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return Int(text) == nil ? nil : text
        }
        do {
            try await Self.eventually("the control plane to listen", timeout: .seconds(60)) { port() != nil }
        } catch {
            controlPlane.kill()
            throw error
        }
        return (controlPlane, port() ?? "")
    }

    /// A process running in the background, its output in a file; stopped at the end.
    final class Background: @unchecked Sendable {
        let process = Process()
        let log: URL

        init(_ arguments: [String], environment: [String: String], log: URL, executable: URL? = nil) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            self.process.executableURL = executable ?? CLITests.binary
            self.process.arguments = arguments
            self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            self.process.standardOutput = handle
            self.process.standardError = handle
            self.process.currentDirectoryURL = log.deletingLastPathComponent()
            try self.process.run()
        }

        func kill(_ signal: Int32 = SIGKILL) {
            if self.process.isRunning { Glibc.kill(self.process.processIdentifier, signal) }
        }

        var output: String { (try? String(contentsOf: self.log, encoding: .utf8)) ?? "" }
    }

    /// Polls `condition` (separate processes cannot share an injected clock) until it holds.
    static func eventually(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        // The condition is asked once more after the deadline: a test starved of threads on a
        // loaded machine may wake only after it, with the condition long true.
        while true {
            if try await condition() { return }
            guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        var description: String
    }

    @Test("20 agent processes attest and register with a control-plane process; a killed agent turns stale")
    func twentyAgents() async throws {
        let (directory, authorityFile, fleetFile) = try await Self.scratchFleet("dd-e2e", agents: Self.agents)
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = authorityFile.path

        try await CLIFleet.with { fleet in
            // The reconciler creates the fleet first: the control plane checks every agent
            // against the VM it names in GCE, and adopts the tunnels and records apply made.
            let applied = try await fleet.run(["apply", fleetFile.path, "--auto-approve"])
            #expect(applied.status == 0, "\(applied.standardError)")
            let instanceIDs = Dictionary(
                try await fleet.gce.aggregatedInstances().values.flatMap { $0 }.map { ($0.name, $0.id ?? "") }
            ) { first, _ in first }
            let appliedTunnels = Dictionary(try await fleet.cloudflare.listTunnels().map { ($0.name, $0.id) }) { first, _ in first }
            let base = (fleet.environment["DD_CLOUDFLARE_ENDPOINT"] ?? "").replacingOccurrences(of: "/client/v4", with: "")
            let simulated = ["--quote-source", "simulated", "--sim-authority", authority, "--trust-simulated"]
            var processes: [Background] = []
            defer {
                for process in processes { process.kill(SIGTERM) }
                for process in processes { process.kill() }
            }
            let (controlPlane, cpPort) = try await Self.startControlPlane(
                [fleetFile.path, "--stale-after", "10"] + simulated,
                environment: fleet.environment,
                directory: directory
            )
            processes.append(controlPlane)
            // The fleet's own agent VM names: the control plane admits no others.
            let rendered = try await CLITests.runOffPool(["render", fleetFile.path, "--format", "json"])
            let environments = try #require(
                (try JSONSerialization.jsonObject(with: Data(rendered.standardOutput.utf8)) as? [String: Any])?["environments"] as? [[String: Any]]
            )
            let vms = (environments.first?["vms"] as? [[String: Any]] ?? []).filter { $0["pool"] as? String == "web" }
            let names = vms.compactMap { $0["name"] as? String }
            #expect(names.count == Self.agents)
            // Agents 0 and 1 boot like fleet VMs: everything but the local register URL from their
            // instance's metadata server (the GCE emulator serves each instance's own), which holds
            // the ee-config apply wrote; no fleet file, no name, no instance id.
            let gceHost = (fleet.environment["DD_GCE_ENDPOINT"] ?? "").replacingOccurrences(of: "http://", with: "")
                .replacingOccurrences(of: "/compute/v1", with: "")
            var metadataHosts: [String] = []
            for vm in vms.prefix(2) {
                let eeConfig = try #require((vm["metadata"] as? [String: Any])?["ee-config"] as? String)
                #expect(eeConfig.contains("DD_CP_POLICY="), "the boot config tells the agent what the control plane must run")
                metadataHosts.append("\(gceHost)/_emulator/vms/\(try #require(vm["zone"] as? String))/\(try #require(vm["name"] as? String))")
            }
            var agents: [Background] = []
            for (index, name) in names.enumerated() {
                let configuration =
                    index < metadataHosts.count
                    ? ["--metadata-host", metadataHosts[index]]
                    : ["--fleet", fleetFile.path, "--vm-name", name, "--instance-id", instanceIDs[name] ?? "?"]
                let agent = try Background(
                    ["agent", "--register-url", "ws://127.0.0.1:\(cpPort)/register"] + configuration + [
                        "--heartbeat", "1", "--health-listen", "127.0.0.1:0", "--connector", "emulator", "--connector-emulator", base,
                    ] + simulated,
                    environment: [:],
                    log: directory.appendingPathComponent("agent-\(index).log")
                )
                agents.append(agent)
                processes.append(agent)
            }
            let http = HTTPTransport(timeout: .seconds(30))
            func health() async throws -> [[String: Any]] {
                let response = try await http.send(method: "GET", url: "http://127.0.0.1:\(cpPort)/health", headers: [], body: nil)
                return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["list"] as? [[String: Any]] ?? []
            }
            do {
                try await Self.eventually("20 registered agents heartbeating") {
                    let list = (try? await health()) ?? []
                    return list.count == Self.agents && list.allSatisfy { ($0["heartbeats"] as? Int ?? 0) >= 2 && $0["stale"] as? Bool == false }
                }
            } catch {
                Issue.record("\(error)\ncontrol plane:\n\(controlPlane.output.suffix(2000))\nagent 0:\n\(agents[0].output.suffix(2000))")
                return
            }
            let cloudflare = fleet.cloudflare
            // Registration adopted the tunnels apply made (same ids, no twins) and connected them.
            let tunnels = try await cloudflare.listTunnels()
            #expect(Dictionary(tunnels.map { ($0.name, $0.id) }) { first, _ in first } == appliedTunnels)
            #expect(tunnels.count == appliedTunnels.count && Set(names).isSubset(of: appliedTunnels.keys))
            #expect(tunnels.filter { names.contains($0.name) }.allSatisfy { $0.status == "healthy" }, "every stand-in connector connected")
            let records = try await cloudflare.listDNSRecords()
            #expect(Set(names.map { "\($0).devopsdefender.com" }).isSubset(of: records.map(\.name)))
            #expect(Set(records.map(\.name)).count == records.count, "no twin records")
            #expect(records.allSatisfy { $0.comment == "managed-by=devopsdefender fleet=devopsdefender env=production" })

            // Cloudflare's edge reaches each agent along its record, tunnel and stand-in connector.
            let edge = try #require(fleet.environment["DD_EDGE_ENDPOINT"])
            for name in names.prefix(3) {
                let response = try await http.send(method: "GET", url: "\(edge)/health", headers: [("Host", "\(name).devopsdefender.com")], body: nil)
                let vm = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["vm"] as? String
                #expect(response.status == 200 && vm == name, "\(response.status) \(String(decoding: response.body, as: UTF8.self))")
            }
            agents[7].kill()
            try await Self.eventually("the killed agent to turn stale", timeout: .seconds(60)) {
                let list = (try? await health()) ?? []
                let stale = Set(list.filter { $0["stale"] as? Bool == true }.compactMap { $0["vm"] as? String })
                // Others may look stale for a moment on a loaded machine (10 s without a heartbeat).
                return stale.contains(names[7])
            }
            agents[3].kill(SIGTERM)
            try await Self.eventually("an agent to stop on SIGTERM", timeout: .seconds(20)) { !agents[3].process.isRunning }
            #expect(agents[3].process.terminationStatus == 0, "\(agents[3].output.suffix(1000))")
            controlPlane.kill(SIGTERM)
            try await Self.eventually("the control plane to stop on SIGTERM", timeout: .seconds(20)) { !controlPlane.process.isRunning }
            #expect(controlPlane.process.terminationStatus == 0, "\(controlPlane.output.suffix(1000))")
        }
    }
}
