import Foundation
import Spec
import Testing

/// What a fleet may expand to is bounded at validation, so a small file cannot make `plan` hold a
/// million VMs.
@Suite struct ExpansionLimitTests {
    /// The attacker's file: 1,000 pools of 500 VMs in production, inherited by staging — about a
    /// million VMs from about 41 KB.
    static var millionVMFleet: String {
        get throws {
            let pools = (0..<1_000).map { "      - {name: p\($0), count: 500}\n" }.joined()
            return try Fixtures.minimalFleetText.replacingOccurrences(
                of: "    pools:\n      - name: web\n        count: 2\n        workloads: [hello-world]\n",
                with: "    pools:\n" + pools
            )
        }
    }

    @Test func aMillionVMFleetIsRefusedAtBothEnvironments() throws {
        let text = try Self.millionVMFleet
        #expect(text.utf8.count < 48 * 1024)
        let result = Fixtures.load(text)
        #expect(!result.isValid)
        let limits = result.diagnostics.filter { $0.rule == .expansionLimit }
        let production = try #require(limits.first { $0.message.contains("'production' expands to 500001 VMs") })
        #expect(production.message.contains("1000 pools, the largest 'p0' with 500 VMs"))
        #expect(production.location?.line == 24)
        #expect(limits.contains { $0.message.contains("'staging' expands to 500001 VMs") && $0.location?.line == 1027 })
        #expect(limits.contains { $0.message.contains("the fleet holds 500001 VMs") })
    }

    @Test func tenThousandVMsInOneEnvironmentAreAllowed() throws {
        let pools = (0..<20).map { "      - {name: p\($0), count: \($0 == 19 ? 499 : 500)}\n" }.joined()
        let text = try Fixtures.minimalFleetText
            .replacingOccurrences(of: "      - name: web\n        count: 2\n        workloads: [hello-world]\n", with: pools)
            .replacingOccurrences(of: "  staging:\n    from: production\n", with: "  staging:\n")
            .replacingOccurrences(of: "previews:\n  enabled: true\n", with: "previews:\n  enabled: false\n")
        let result = Fixtures.load(text)
        #expect(result.isValid, "\(result.diagnostics.prefix(3))")
    }

    /// The minimal fleet: production and staging hold 3 VMs each (a control plane and two web
    /// VMs); previews copy staging, up to 10 at once (30 VMs).
    @Test(arguments: [
        (ExpansionLimits(maximumVMsPerEnvironment: 2), ["'production' expands to 3 VMs", "'staging' expands to 3 VMs"]),
        (ExpansionLimits(maximumPreviewVMs: 29), ["10 previews of environment 'staging' (3 VMs each) would hold 30 VMs"]),
        (ExpansionLimits(maximumVMsPerFleet: 35), ["with 10 previews the fleet would hold 36 VMs"]),
        (ExpansionLimits(maximumVMsPerFleet: 5), ["with environment 'staging' the fleet holds 6 VMs"]),
        (ExpansionLimits(maximumVMsPerEnvironment: 3, maximumPreviewVMs: 30, maximumVMsPerFleet: 36), []),
    ])
    func eachLimitIsEnforced(limits: ExpansionLimits, expected: [String]) throws {
        let result = FleetSpecLoader.load(Array(try Fixtures.minimalFleetText.utf8), file: "test.yaml", expansion: limits)
        let messages = result.diagnostics.filter { $0.rule == .expansionLimit }.map(\.message)
        #expect(messages.count == expected.count, "\(messages)")
        for fragment in expected {
            #expect(messages.contains { $0.contains(fragment) }, "\(fragment) not in \(messages)")
        }
        #expect(result.isValid == expected.isEmpty)
    }
}
