import Emulators
import Foundation
import Testing

@Suite("Cloudflare emulator vs the official Python SDK")
struct CloudflareSDKInteropTests {
    @Test("tunnels and DNS records: created, listed over several pages, fetched, configured, deleted")
    func sdkRoundTrip() async throws {
        guard let python = ProviderTestSupport.python() else { return }
        let configuration = CloudflareEmulator.Configuration()
        let server = try EmulatorServer(cloudflare: configuration)
        let output = try await LoopbackServer.withRunning(server.router()) { port in
            try await ProviderTestSupport.runPython(
                python,
                script: "cloudflare_sdk_interop.py",
                arguments: ["http://127.0.0.1:\(port)/client/v4", configuration.tokens.first ?? "", configuration.accountID, configuration.zoneID]
            )
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
        let names = (0..<5).map { "sdk-tunnel-\($0)" }
        #expect(summary["listed"] as? [String] == names)
        #expect((summary["fetched"] as? [String: Any])?["name"] as? String == "sdk-tunnel-0")
        #expect((summary["fetched"] as? [String: Any])?["status"] as? String == "inactive")
        #expect(summary["config_version"] as? Int == 1)
        #expect(summary["ingress"] as? [String] == ["http://localhost:8080", "http_status:404"])
        #expect((summary["token_length"] as? Int ?? 0) > 40)
        #expect(summary["duplicate"] as? String == "ConflictError")
        #expect((summary["records_listed"] as? [String])?.count == 7)
        #expect(summary["records_after_delete"] as? Int == 0)
        #expect(summary["tunnels_after_delete"] as? Int == 0)
        let counts = server.journal.counts
        // 5 tunnels over pages of 2: pages 1, 2, 3 (and the SDK's probe of an empty page 4).
        #expect((counts["cloudflare tunnels.list"] ?? 0) >= 3)
        #expect((counts["cloudflare dns.list"] ?? 0) >= 2)
        #expect(counts["cloudflare tunnels.create"] == 6)
    }
}
