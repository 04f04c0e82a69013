import Attestation
import AttestationSimulation
import Emulators
import Encoding
import Foundation
import ProviderSupport
import Testing

@Suite("PCCS collateral fetching")
struct PCCSTests {
    @Test("the client fetches the exact bundle from a PCCS, and it verifies")
    func fetchesAndVerifies() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        let bundle = try platform.collateral()
        let emulator = PCCSEmulator(bundle: bundle, fmspc: Hex.encode(platform.authority.platform.fmspc))
        let fetched = try await LoopbackServer.withRunning(emulator.router()) { port in
            try await PCCSClient(baseURL: "http://127.0.0.1:\(port)/sgx/certification/v4/", transport: LoopbackCollateral()).collateral(for: quote)
        }
        #expect(fetched == bundle)
        let accepted = await platform.verify(quote, collateral: fetched).isAccepted
        #expect(accepted)
    }

    @Test("an unknown platform is a fetch error naming the URL")
    func unknownPlatform() async throws {
        let platform = try SimulatedPlatform()
        let emulator = PCCSEmulator(bundle: try platform.collateral(), fmspc: "00606a000000")
        let quote = try platform.quote()
        await #expect(throws: PCCSClient.FetchError.self) {
            try await LoopbackServer.withRunning(emulator.router()) { port in
                try await PCCSClient(baseURL: "http://127.0.0.1:\(port)", transport: LoopbackCollateral()).collateral(for: quote)
            }
        }
    }

    @Test("dcap-qvl's PCCS client fetches the same collateral from our PCCS emulator and verifies with it")
    func dcapQvlFetchesFromEmulator() async throws {
        guard let python = PythonOracle.python() else { return }
        let platform = try SimulatedPlatform()
        let quoteBytes = try platform.authority.quote(SimulatedQuoteRequest())
        let bundle = try platform.collateral()
        let emulator = PCCSEmulator(bundle: bundle, fmspc: Hex.encode(platform.authority.platform.fmspc))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-pccs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(quoteBytes).write(to: directory.appendingPathComponent("quote.dat"))
        try Data(try platform.authority.rootDER).write(to: directory.appendingPathComponent("root.der"))
        let script = """
            import asyncio, json, os, sys, dcap_qvl
            d, url, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
            quote = open(d + "/quote.dat", "rb").read()
            async def fetch():
                return await dcap_qvl.get_collateral(url, quote)
            collateral = asyncio.run(fetch())
            report = dcap_qvl.verify_with_root_ca(quote, collateral, open(d + "/root.der", "rb").read(), now)
            print(json.dumps({"collateral": json.loads(collateral.to_json()), "status": report.status}), flush=True)
            # dcap-qvl's async runtime can crash while the interpreter tears down; the answer is
            # already out, so leave without teardown.
            os._exit(0)
            """
        let output = try await LoopbackServer.withRunning(emulator.router()) { port in
            try await PythonOracle.runScript(
                python: python,
                script: script,
                arguments: [directory.path, "http://127.0.0.1:\(port)", String(Int(SimulatedPlatform.now.timeIntervalSince1970))]
            )
        }
        struct Fetched: Decodable {
            var collateral: CollateralBundle
            var status: String
        }
        let fetched = try JSONDecoder().decode(Fetched.self, from: output)
        #expect(fetched.status == "UpToDate")
        #expect(fetched.collateral.tcbInfo == bundle.tcbInfo)
        #expect(fetched.collateral.qeIdentity == bundle.qeIdentity)
        #expect(fetched.collateral.rootCACRL == bundle.rootCACRL)
        #expect(fetched.collateral.pckCRL == bundle.pckCRL)
        #expect(fetched.collateral.tcbInfoIssuerChain == bundle.tcbInfoIssuerChain)
    }
}

/// The PCCS client's transport over the providers' HTTP client, as the CLI joins them.
private struct LoopbackCollateral: CollateralTransport {
    let http = HTTPTransport()

    func get(_ url: String) async throws -> CollateralHTTPResponse {
        let response = try await self.http.send(method: "GET", url: url)
        return CollateralHTTPResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
