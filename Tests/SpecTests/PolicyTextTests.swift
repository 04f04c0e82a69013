import Encoding
import Foundation
import Spec
import Testing

/// The attestation policy as text: what an agent's boot configuration carries in `DD_CP_POLICY`.
@Suite struct PolicyTextTests {
    @Test("the example fleet's policy survives JSON and back, and every agent's boot config carries it")
    func roundTrip() throws {
        let fleet = try Fixtures.exampleFleet
        let policy = fleet.spec.attestation
        #expect(policy.rtmr[2].count == 1 && policy.minimumTeeTcbSvn != nil, "the example pins RTMR2 and a TCB SVN")
        #expect(try AttestationPolicySpec.parse(policy.json, source: "test") == policy)
        #expect(try AttestationPolicySpec.parse(policy.environmentValue, source: "test") == policy)
        #expect(policy.environmentValue.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "nothing to quote")
        var diagnostics = DiagnosticCollector(file: "examples/fleet.yaml")
        let desired = try #require(FleetExpander.expand(fleet, diagnostics: &diagnostics))
        let agents = desired.environments.flatMap(\.vms).filter { $0.role == .agent }
        #expect(!agents.isEmpty)
        for vm in agents {
            let variables = vm.eeConfig.bootWorkloads.first { $0.appName == "devopsdefender" }?.environment ?? []
            #expect(variables.contains("DD_CP_POLICY=\(policy.environmentValue)"), "\(vm.name)")
        }
    }

    @Test("attestation.pccs reaches every VM's boot config as DD_PCCS_URL; without it, none does")
    func pccsInBootConfig() throws {
        let text = String(decoding: try Fixtures.bytes("examples/fleet.yaml"), as: UTF8.self)
        let withPCCS = text.replacingOccurrences(of: "attestation:\n", with: "attestation:\n  pccs: https://pccs.example.com:8081\n")
        #expect(withPCCS != text)
        for (source, expected) in [(withPCCS, "DD_PCCS_URL=https://pccs.example.com:8081"), (text, nil)] {
            let fleet = try #require(Fixtures.load(source).fleet)
            var diagnostics = DiagnosticCollector(file: "fleet.yaml")
            let desired = try #require(FleetExpander.expand(fleet, diagnostics: &diagnostics))
            let vms = desired.environments.flatMap(\.vms)
            #expect(vms.contains { $0.role == .controlPlane } && vms.contains { $0.role == .agent })
            for vm in vms {
                let variables = vm.eeConfig.bootWorkloads.first { $0.appName == "devopsdefender" }?.environment ?? []
                #expect(variables.filter { $0.hasPrefix("DD_PCCS_URL=") } == (expected.map { [$0] } ?? []), "\(vm.name)")
            }
        }
    }

    @Test("defaults are the fleet file's: DEBUG refused, only UpToDate accepted; YAML works too")
    func defaults() throws {
        let mrtd = String(repeating: "AB", count: 48)
        let block = try AttestationPolicySpec.parse("mrtd:\n  - \(mrtd)\nrejectDebug: false\n", source: "test")
        #expect(block.mrtd == [mrtd.lowercased()] && !block.rejectDebug, "block-style YAML")
        let parsed = try AttestationPolicySpec.parse("{mrtd: [\(mrtd)]}", source: "test")
        #expect(parsed.mrtd == [mrtd.lowercased()] && parsed.rejectDebug && parsed.acceptedTcbStatuses == ["UpToDate"])
        #expect(parsed.rtmr.allSatisfy(\.isEmpty) && parsed.mrConfigID == nil)
    }

    @Test(
        "text that is not a policy is refused, naming the source and every problem",
        arguments: [
            ("not json", "mapping"),
            ("{\"mrtd\": [\"abcd\"]}", "mrtd"),
            ("{\"rtmr2\": [\"\(String(repeating: "0", count: 96))\"]}", "mrtd"),
            ("{\"mrtd\": [\"\(String(repeating: "0", count: 96))\"], \"rejectDebug\": \"no\"}", "rejectDebug"),
            ("{\"mrtd\": [\"\(String(repeating: "0", count: 96))\"], \"mrtdd\": []}", "mrtdd"),
            ("", "no YAML document"),
            ("bm90IGEgcG9saWN5", "neither a JSON or YAML mapping nor base64url"),
            ("e30*", "mapping"),
            (Base64URL.encode(Array("{\"mrtd\": [\"ab\"]}".utf8)), "mrtd[0]"),
        ]
    )
    func refused(text: String, mentions: String) {
        do {
            _ = try AttestationPolicySpec.parse(text, source: "DD_CP_POLICY")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix("DD_CP_POLICY is not an attestation policy"))
            #expect(error.description.contains(mentions), "\(error.description)")
        }
    }

    @Test("base64url round-trips every length and refuses padding and foreign characters")
    func base64URL() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            #expect(Base64URL.decode(text) == bytes, "length \(length)")
        }
        #expect(Base64URL.encode(Array("hello?>".utf8)) == "aGVsbG8_Pg")
        #expect(Base64URL.decode("aGVsbG8_Pg") == Array("hello?>".utf8))
        #expect(Base64URL.decode("aGVsbG8=") == nil && Base64URL.decode("a") == nil && Base64URL.decode("a+b/") == nil)
        #expect(Base64URL.decode("e30") == Array("{}".utf8) && Base64URL.decode("e31") == nil, "stray bits after the last byte")
    }
}
