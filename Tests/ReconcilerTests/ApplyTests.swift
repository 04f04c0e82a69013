import Emulators
import Reconciler
import Spec
import Testing

/// Apply against the emulators: faults, eventual consistency, foreign objects, dry runs.
@Suite struct ApplyTests {
    typealias F = PlannerFixture

    static func seedForeignObjects(_ fleet: EmulatedFleet) {
        fleet.server.gce?.seed(
            zone: "us-central1-a",
            names: ["acme-production-web-0-12345678"],
            labels: ["dd-fleet": "acme", "dd-env": "production"]
        )
        fleet.server.gce?.seed(zone: "us-central1-c", names: ["hand-made-vm"], labels: [:])
        _ = fleet.server.cloudflare?.seedTunnels(names: ["acme-production-cp-12345678", "dd-production-web-0-0badcafe-acme"])
        _ = fleet.server.cloudflare?.seedRecord(name: "status.devopsdefender.com", type: "A", content: "192.0.2.1", comment: nil)
        _ = fleet.server.cloudflare?.seedRecord(
            name: "acme.devopsdefender.com",
            type: "CNAME",
            content: "x.cfargotunnel.com",
            comment: "managed-by=devopsdefender fleet=acme env=production"
        )
    }

    static let foreign = (
        vms: ["acme-production-web-0-12345678", "hand-made-vm"],
        tunnels: ["acme-production-cp-12345678", "dd-production-web-0-0badcafe-acme"],
        records: ["status.devopsdefender.com", "acme.devopsdefender.com"]
    )

    @Test("apply converges through 429s, 5xx, a timeout, list lag and a stockout: no twins, no orphans, foreign objects untouched")
    func convergesUnderFaults() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with(
            gce: .init(project: "dd-prod", listLag: .seconds(20)),
            // Under the 4 s answer of the timeout fault, and far enough above a normal answer
            // that a loaded machine does not time out (and wait out) calls the test did not
            // plan to: those waits move the emulators' clock past the lists' lag.
            timeout: .seconds(3)
        ) { fleet in
            Self.seedForeignObjects(fleet)
            fleet.server.cloudflare?.setListLag(.seconds(20))
            fleet.server.faults.add([
                .init(route: "tunnels.create", status: 429, count: 2, retryAfterSeconds: 2),
                .init(route: "dns.create", status: 500, count: 3),
                .init(route: "instances.insert", status: 503, count: 2),
                .init(route: "instances.insert.operation", status: 0, count: 1, operationError: "ZONE_RESOURCE_POOL_EXHAUSTED"),
                .init(route: "tunnels.putConfiguration", status: 0, count: 1, delayMilliseconds: 4000),
            ])
            let (plan, report) = await fleet.converge(desired)
            #expect(plan.summary.create == plan.actions.count && plan.summary.create > 30)
            #expect(report.succeeded, "failed: \(report.failed), skipped: \(report.skipped)")
            #expect(fleet.server.journal.all.contains { $0.status == 429 } && fleet.server.journal.all.contains { $0.status == 503 })

            // Lists lag behind: until they catch up, a plan may not see everything — but it
            // never deletes and never makes twins.
            let (early, earlyReport) = await fleet.converge(desired)
            // When the lists still lag, what they hide is adopted, never made twice. (On a loaded
            // machine the first apply's waits can move the emulators' clock past the lag first.)
            #expect(
                early.isEmpty || earlyReport.finished.values.contains(.adopted),
                "the lagging lists hid \(early.actions.map(\.id)); outcomes: \(earlyReport.finished)"
            )
            #expect((fleet.server.journal.counts["gce instances.insert"] ?? 0) > desired.allVMs.count, "the stockout was retried")
            #expect(early.summary.delete == 0 && earlyReport.succeeded, "\(earlyReport.failed) \(earlyReport.skipped)")

            fleet.emulatorClock.advance(by: .seconds(60))
            let (after, _) = await fleet.converge(desired)
            #expect(after.isEmpty, "plan after apply: \(after.actions.map(\.id))")

            let inventory = try await fleet.inventory()
            for list in [inventory.vms, inventory.tunnels, inventory.records] {
                #expect(Set(list).count == list.count, "twins in \(list.sorted())")
            }
            let wantedVMs = Set(desired.allVMs.map(\.name))
            let wantedRecords = Set(desired.environments.flatMap { $0.dnsRecords.map(\.name) })
            #expect(Set(inventory.vms) == wantedVMs.union(Self.foreign.vms), "no orphan VMs")
            #expect(Set(inventory.tunnels) == wantedVMs.union(Self.foreign.tunnels), "no orphan tunnels")
            #expect(Set(inventory.records) == wantedRecords.union(Self.foreign.records), "no orphan records")
            #expect(!fleet.server.journal.all.contains { $0.method == "DELETE" }, "nothing was deleted")
            #expect(try fleet.journal.unfinished().isEmpty)
        }
    }

    @Test("a plan (dry run) makes zero mutating calls, whatever it finds")
    func dryRunMutatesNothing() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            Self.seedForeignObjects(fleet)
            let (_, report) = await fleet.converge(try F.desired(replacing: [("count: 3", "count: 4")]))
            #expect(report.succeeded)
            fleet.server.journal.reset()
            let observed = await fleet.observe(desired)
            let plan = F.plan(desired, observed)
            #expect(plan.summary.delete == 4, "the extra slot's VM, tunnel and records: \(plan.actions.map(\.id))")
            #expect(fleet.server.journal.mutatingCount == 0)
            #expect(fleet.server.journal.all.allSatisfy { $0.method == "GET" || RequestJournal.readOnlyRoutes.contains($0.route) })
        }
    }

    @Test("a rollout replaces a pool create-before-destroy and deletes only the old generation")
    func rolloutReplacesPool() async throws {
        let desired = try F.desired()
        let next = try F.desired(replacing: [("machineType: c3-standard-8", "machineType: c3-standard-16")])
        try await EmulatedFleet.with { fleet in
            Self.seedForeignObjects(fleet)
            #expect(await fleet.converge(desired).1.succeeded)
            let (plan, report) = await fleet.converge(next)
            #expect(report.succeeded, "\(report.failed)")
            #expect(plan.summary.delete > 0 && plan.actions.filter { $0.operation == .delete }.allSatisfy(\.isReplacement))
            let (after, _) = await fleet.converge(next)
            #expect(after.isEmpty, "\(after.actions.map(\.id))")
            let inventory = try await fleet.inventory()
            #expect(Set(inventory.vms) == Set(next.allVMs.map(\.name)).union(Self.foreign.vms))
            #expect(Set(inventory.tunnels) == Set(next.allVMs.map(\.name)).union(Self.foreign.tunnels))
        }
    }

    @Test("a failed action skips what depends on it; the rest goes on, and the next apply finishes")
    func failureSkipsDependents() async throws {
        let desired = try F.desired()
        try await EmulatedFleet.with { fleet in
            fleet.server.faults.add([.init(route: "tunnels.create", status: 400, count: 1)])
            let (plan, report) = await fleet.converge(desired)
            #expect(report.failed.count == 1)
            let failed = try #require(report.failed.keys.first)
            let tunnel = String(failed.dropFirst("create tunnel ".count))
            #expect(report.skipped.contains("create ingress \(tunnel)"))
            #expect(report.finished.count + report.failed.count + report.skipped.count == plan.actions.count)
            let (_, second) = await fleet.converge(desired)
            #expect(second.succeeded)
            #expect(await fleet.converge(desired).0.isEmpty)
        }
    }
}
