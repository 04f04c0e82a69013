import Emulators
import Foundation
import TestSupport
import Testing

/// `devopsdefender observe` against the emulators, pointed there with the endpoint flags.
@Suite struct ObserveCLITests {
    @Test func observesOnlyWhatTheFleetOwnsAndReportsPartialSources() async throws {
        let server = try EmulatorServer(cloudflare: .init(), gce: .init(project: "dd-prod"))
        let gce = try #require(server.gce)
        let cloudflare = try #require(server.cloudflare)
        gce.seed(
            zone: "us-central1-a",
            names: ["dd-production-cp-0123abcd", "dd-production-default-0-0123abcd"],
            labels: ["dd-fleet": "devopsdefender"]
        )
        gce.seed(zone: "us-central1-c", names: ["dd-staging-cp-4567abcd"], labels: ["dd-fleet": "devopsdefender"])
        gce.seed(zone: "us-central1-a", names: ["someone-elses-vm"], labels: ["team": "data"])
        let tunnelIDs = cloudflare.seedTunnels(names: ["dd-production-cp-0123abcd", "dd-production-default-0-0123abcd", "unrelated-tunnel"])
        _ = cloudflare.seedRecord(
            name: "app.devopsdefender.com",
            type: "CNAME",
            content: "\(tunnelIDs[0]).cfargotunnel.com",
            comment: "managed-by=devopsdefender fleet=devopsdefender env=production"
        )
        _ = cloudflare.seedRecord(name: "www.devopsdefender.com", type: "A", content: "192.0.2.10", comment: nil)
        _ = cloudflare.seedRecord(
            name: "x.devopsdefender.com",
            type: "CNAME",
            content: "y.cfargotunnel.com",
            comment: "managed-by=devopsdefender fleet=devopsdefender-old env=production"
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-observe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json")
        let (complete, partial) = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            try JSONEncoder().encode(gce.serviceAccountKey(tokenURI: base + "/token")).write(to: keyFile)
            let arguments = [
                "observe", "examples/fleet.yaml", "--gce-endpoint", base + "/compute/v1", "--cloudflare-endpoint", base + "/client/v4",
                "--gce-credentials", keyFile.path, "--format", "json",
            ]
            let environment = ["DD_CF_API_TOKEN": cloudflare.configuration.tokens.first ?? ""]
            let complete = try await CLITests.runOffPool(arguments, environment: environment)
            server.faults.add([.init(route: "tunnels.list", status: 500, count: 100)])
            let partial = try await CLITests.runOffPool(Array(arguments.dropLast(2)), environment: environment)
            return (complete, partial)
        }
        #expect(complete.status == 0, "\(complete.standardError)")
        #expect(complete.standardError.isEmpty, "at the default level a clean run logs nothing: \(complete.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(complete.standardOutput.utf8)) as? [String: Any])
        let sources = try #require(report["sources"] as? [[String: Any]])
        #expect(sources.map { ($0["items"] as? [Any])?.count ?? -1 } == [3, 2, 1])
        #expect(sources.allSatisfy { $0["complete"] as? Bool == true })
        #expect(!complete.standardOutput.contains("someone-elses-vm") && !complete.standardOutput.contains("unrelated-tunnel"))
        #expect(partial.status == 1)
        #expect(partial.standardOutput.contains("cloudflare tunnels: 0 owned (name prefix dd-), PARTIAL"))
        #expect(!partial.standardOutput.contains(cloudflare.configuration.tokens.first ?? "?"))
    }
}
