import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import TestSupport
import Testing

/// `plan` and `apply` through the real binary, against in-process emulators, as a new user
/// would run them.
@Suite struct PlanApplyCLITests {
    static let fleet = "examples/fleet.yaml"

    @Test("plan exits 2, apply converges, plan exits 0; foreign objects never appear; plan mutates nothing")
    func planApplyPlan() async throws {
        try await CLIFleet.with { fleet in
            fleet.seedForeignObjects()
            fleet.server.journal.reset()
            let first = try await fleet.run(["plan", Self.fleet])
            #expect(first.status == 2, "\(first.standardError)")
            #expect(first.standardOutput.contains("Plan: 36 to create, 0 to update, 0 to delete."), "\(first.standardOutput.suffix(300))")
            #expect(fleet.server.journal.mutatingCount == 0)
            let json = try await fleet.run(["plan", Self.fleet, "--format", "json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            #expect(document["formatVersion"] as? Int == 1 && (document["actions"] as? [Any])?.count == 36)
            let markdown = try await fleet.run(["plan", Self.fleet, "--format", "markdown"])
            #expect(markdown.standardOutput.hasPrefix("### DevOps Defender plan for `devopsdefender`\n\n**Plan: 36 to create"))
            #expect(fleet.server.journal.mutatingCount == 0, "plan is a dry run")

            let apply = try await fleet.run(["apply", Self.fleet, "--auto-approve"])
            #expect(apply.status == 0, "\(apply.standardError)")
            #expect(apply.standardOutput.contains("Apply complete: 36 done"), "\(apply.standardOutput.suffix(400))")
            let again = try await fleet.run(["plan", Self.fleet])
            #expect(again.status == 0 && again.standardOutput.contains("No changes."), "\(again.standardOutput)")
            for output in [first.standardOutput, json.standardOutput, markdown.standardOutput, apply.standardOutput, again.standardOutput] {
                for name in CLIFleet.foreignNames { #expect(!output.contains(name)) }
                #expect(!output.contains(fleet.environment["DD_CF_API_TOKEN"] ?? "?"), "no secret in output")
                #expect(!output.contains("GREETING=hello"), "ee-config values are not printed")
            }
            let inventory = try await fleet.inventory()
            for name in CLIFleet.foreignNames { #expect((inventory.vms + inventory.tunnels + inventory.records).contains(name)) }
        }
    }

    @Test("apply without approval on a non-terminal refuses and changes nothing")
    func applyNeedsApproval() async throws {
        try await CLIFleet.with { fleet in
            let result = try await fleet.run(["apply", Self.fleet])
            #expect(result.status == 1)
            #expect(result.standardError.contains("--auto-approve"))
            #expect(fleet.server.journal.mutatingCount == 0)
        }
    }

    @Test("a saved plan applies when fresh and is refused (exit 3) once the world or the spec changed")
    func savedPlans() async throws {
        try await CLIFleet.with { fleet in
            let path = fleet.directory.appendingPathComponent("plan.json").path
            #expect(try await fleet.run(["plan", Self.fleet, "--out", path]).status == 2)
            let applied = try await fleet.run(["apply", path])
            #expect(applied.status == 0, "\(applied.standardError)")
            #expect(try await fleet.run(["plan", Self.fleet]).status == 0)

            let records = try await fleet.cloudflare.listDNSRecords(name: "app.devopsdefender.com")
            var record = try #require(records.first)
            record.content = "attacker.example.net"
            _ = try await fleet.cloudflare.updateDNSRecord(record)
            #expect(try await fleet.run(["plan", Self.fleet, "--out", path]).status == 2)
            record.content = "elsewhere.example.net"
            _ = try await fleet.cloudflare.updateDNSRecord(record)
            let stale = try await fleet.run(["apply", path])
            #expect(stale.status == 3 && stale.standardError.contains("stale"), "\(stale.standardError)")
            #expect(try await fleet.cloudflare.listDNSRecords(name: "app.devopsdefender.com").first?.content == "elsewhere.example.net")

            let copy = fleet.directory.appendingPathComponent("fleet.yaml")
            try String(contentsOfFile: Self.fleet, encoding: .utf8).write(to: copy, atomically: true, encoding: .utf8)
            #expect(try await fleet.run(["plan", copy.path, "--out", path]).status == 2)
            try (String(contentsOf: copy, encoding: .utf8) + "\n# edited\n").write(to: copy, atomically: true, encoding: .utf8)
            let edited = try await fleet.run(["apply", path])
            #expect(edited.status == 3 && edited.standardError.contains("the spec"), "\(edited.standardError)")
        }
    }

    @Test("policy refusals exit 3: the circuit breaker and an empty fleet")
    func refusals() async throws {
        try await CLIFleet.with { fleet in
            #expect(try await fleet.run(["apply", Self.fleet, "--auto-approve"]).status == 0)
            let shrunk = fleet.directory.appendingPathComponent("shrunk.yaml")
            let text = try String(contentsOfFile: Self.fleet, encoding: .utf8)
            try text.replacingOccurrences(of: "count: 3", with: "count: 0").replacingOccurrences(of: "count: 2", with: "count: 0")
                .write(to: shrunk, atomically: true, encoding: .utf8)
            let breaker = try await fleet.run(["plan", shrunk.path])
            #expect(breaker.status == 3 && breaker.standardOutput.contains("Refused (circuit-breaker)"), "\(breaker.standardOutput.suffix(500))")
            let refusedApply = try await fleet.run(["apply", shrunk.path, "--auto-approve"])
            #expect(refusedApply.status == 3)
            let allowed = try await fleet.run(["plan", shrunk.path, "--max-delete-percent", "100"])
            #expect(allowed.status == 2, "\(allowed.standardOutput.suffix(300))")
            #expect(fleet.server.journal.all.filter { $0.method == "DELETE" }.isEmpty, "nothing deleted")
        }
    }

    @Test(
        "plan's usage errors and bad input exit 1 (2 means changes)",
        arguments: [
            ["plan"],
            ["plan", "examples/fleet.yaml", "--max-surge", "0"],
            ["plan", "examples/fleet.yaml", "--preview", "3", "--no-previews"],
            ["plan", "no-such-fleet.yaml"],
            ["plan", "Tests/SpecTests/Fixtures/invalid/bad-pool-name.yaml"],
            ["apply", "README.md"],
        ]
    )
    func planErrors(_ arguments: [String]) async throws {
        let result = try await CLITests.runOffPool(arguments)
        #expect(result.status == 1, "\(arguments): \(result.status) \(result.standardError)")
        #expect(!result.standardError.isEmpty)
    }

    @Test("apply killed at 20+ points converges without twins or orphans")
    func crashRecovery() async throws {
        try await CLIFleet.with { fleet in
            fleet.seedForeignObjects()
            var generator = SeededGenerator(seed: 0x5eed)
            var crashes = 0
            var runs = 0
            while crashes < 20 && runs < 80 {
                runs += 1
                let point = Int.random(in: 1...6, using: &generator)
                let result = try await fleet.run(["apply", Self.fleet, "--auto-approve"], extra: ["DD_CRASH_AT_CHECKPOINT": String(point)])
                if result.status == 137 {
                    crashes += 1
                    continue
                }
                #expect(result.status == 0, "run \(runs): \(result.standardError)")
                // Converged before this crash point: disturb the world to get more work.
                let tunnels = try await fleet.cloudflare.listTunnels(namePrefix: "dd-")
                for tunnel in tunnels.filter({ $0.name.hasPrefix("dd-production-web") }) { try await fleet.cloudflare.deleteTunnel(id: tunnel.id) }
            }
            #expect(crashes >= 20, "crashed \(crashes) times in \(runs) runs")
            let final = try await fleet.run(["apply", Self.fleet, "--auto-approve"])
            #expect(final.status == 0, "\(final.standardError)")
            let plan = try await fleet.run(["plan", Self.fleet])
            #expect(plan.status == 0, "\(plan.standardOutput)")
            let inventory = try await fleet.inventory()
            for list in [inventory.vms, inventory.tunnels, inventory.records] {
                #expect(Set(list).count == list.count, "twins: \(list.sorted())")
            }
            let desired = try await fleet.run(["render", Self.fleet, "--format", "json"])
            let names = try #require(
                (try JSONSerialization.jsonObject(with: Data(desired.standardOutput.utf8)) as? [String: Any])?["environments"] as? [[String: Any]]
            ).flatMap { ($0["vms"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
            #expect(Set(inventory.vms) == Set(names).union(["acme-production-web-0-12345678", "hand-made-vm"]), "no orphan VMs")
            #expect(Set(inventory.tunnels) == Set(names).union(["acme-production-cp-12345678"]), "no orphan tunnels")
        }
    }
}

/// SplitMix64: a reproducible sequence of crash points.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
