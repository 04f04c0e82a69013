import Emulators
import Foundation
import Testing

@Suite("GCE emulator vs the official Python SDK")
struct GCESDKInteropTests {
    @Test("instances inserted, listed with a filter over pages, fetched, deleted; operations waited on")
    func sdkRoundTrip() async throws {
        guard let python = ProviderTestSupport.python() else { return }
        let server = try EmulatorServer(gce: .init())
        let gce = try #require(server.gce)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-gce-sdk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.json")
        let output = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            try JSONEncoder().encode(gce.serviceAccountKey(tokenURI: base + "/token")).write(to: keyFile)
            return try await ProviderTestSupport.runPython(
                python,
                script: "gce_sdk_interop.py",
                arguments: [base, keyFile.path, gce.configuration.project, gce.configuration.zones[0]]
            )
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        #expect(summary["listed"] as? [String] == (0..<4).map { "sdk-vm-\($0)" })
        let fetched = summary["fetched"] as? [String: Any]
        #expect(fetched?["name"] as? String == "sdk-vm-0")
        #expect(fetched?["status"] as? String == "RUNNING")
        #expect(fetched?["confidential"] as? String == "TDX")
        #expect(fetched?["metadata"] as? [String] == ["ee-config"])
        #expect(summary["insert_status"] as? [String] == Array(repeating: "DONE", count: 5))
        #expect(summary["delete_status"] as? String == "DONE")
        #expect(summary["after_delete"] as? String == "NotFound")
        #expect(summary["remaining"] as? [String] == (1..<5).map { "sdk-vm-\($0)" })
        let counts = server.journal.counts
        #expect(counts["gce instances.insert"] == 5)
        #expect((counts["gce instances.list"] ?? 0) >= 2)
        #expect((counts["gce operations.get"] ?? 0) + (counts["gce operations.wait"] ?? 0) >= 5)
    }
}
