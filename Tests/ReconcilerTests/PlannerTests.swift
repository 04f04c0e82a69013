import Reconciler
import Spec
import Testing

/// One table row: a world, a spec, options, and what the plan must (not) do.
struct PlannerCase: Sendable, CustomTestStringConvertible {
    var name: String
    var run: @Sendable () throws -> [String]
    var testDescription: String { self.name }
}

/// Collects failed expectations of a case.
struct Checks {
    var failures: [String] = []

    mutating func that(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { self.failures.append(message()) }
    }
}

/// The planner, table-driven: every rule of DESIGN.md's safety list and of the failure history
/// that applies to planning is a row here.
@Suite struct PlannerTests {
    typealias F = PlannerFixture

    @Test(arguments: PlannerCases.all)
    func planner(_ row: PlannerCase) throws {
        let failures = try row.run()
        #expect(failures.isEmpty, "\(row.name): \(failures.joined(separator: "; "))")
    }

    @Test func theTableHasAtLeastThirtyCases() {
        #expect(PlannerCases.all.count >= 30)
    }

    /// Unreadable is not absent: a partial source withholds the creations of what it would have
    /// listed, and what waits on them; every other creation and update is planned.
    @Test(arguments: PartialSourceCase.all)
    func partialSource(_ row: PartialSourceCase) throws {
        let world = try GappedWorld()
        let observed = row.partial.map { F.partial(world.observed, $0) } ?? world.observed
        let plan = F.plan(world.desired, observed)
        let withheld = Set(row.withheld.flatMap { world.gaps[$0] ?? [] })
        let planned = Set(GappedWorld.Gap.allCases.filter { !row.withheld.contains($0) }.flatMap { world.gaps[$0] ?? [] })
        #expect(Set(plan.actions.map(\.id)) == planned, "planned")
        #expect(Set(plan.withheldDeletions) == withheld, "withheld")
        #expect(plan.withheld.map(\.id) == plan.withheldDeletions && plan.withheldDeletions == plan.withheldDeletions.sorted())
        let unknown = row.partial.map { "unknown: \($0.rawValue) is partial (HTTP 500 on page 3)" }
        let roots = withheld.filter { id in row.unknownKind.map { id.hasPrefix("create \($0.rawValue) ") } ?? false }
        #expect(roots.isEmpty == withheld.isEmpty, "creations of the source's kind are the roots: \(roots)")
        for item in plan.withheld {
            if roots.contains(item.id) {
                #expect(item.reason == unknown, "\(item.id): \(item.reason)")
            } else {
                let dependency = item.reason.hasPrefix("waits on ") ? String(item.reason.dropFirst("waits on ".count)) : ""
                #expect(withheld.contains(dependency), "\(item.id) waits on a withheld action: \(item.reason)")
            }
        }
        let warning = plan.warnings.first { $0.contains("withheld") }
        if withheld.isEmpty {
            #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        } else {
            #expect(
                warning?.hasPrefix("\(withheld.count) action(s) withheld, creates of objects a partial source did not list") == true
                    && warning?.contains("\(row.partial?.rawValue ?? "?") is partial (HTTP 500 on page 3)") == true,
                "\(plan.warnings)"
            )
        }
        #expect(plan.isWellFormedDAG && !plan.isRefused)
    }
}

/// The converged example fleet with four gaps, each in its own VM's chain: agent A is gone
/// entirely (VM, tunnel, records), agent B's VM is gone, agent C's tunnel is gone (its records
/// remain and must be repointed), and one record of agent D is gone.
struct GappedWorld {
    enum Gap: String, CaseIterable, Sendable {
        /// `create vm A`.
        case vmA
        /// `create tunnel A`, `create ingress A`.
        case tunnelA
        /// `create dns` of A's records.
        case recordsA
        /// `create vm B`.
        case vmB
        /// `create tunnel C`, `create ingress C`, and the `update dns` of C's records.
        case tunnelC
        /// `create dns` of D's hostname.
        case recordD
    }

    let desired: DesiredState
    let observed: ObservedState
    /// The action ids a complete observation plans for each gap.
    let gaps: [Gap: Set<String>]

    init() throws {
        typealias F = PlannerFixture
        let desired = try F.desired()
        var observed = F.converged(desired)
        let agents = desired.allVMs.filter { $0.role == .agent }.map(\.name)
        guard agents.count >= 4 else { throw F.LoadError(description: "the fixture needs four agents") }
        let (a, b, c, d) = (agents[0], agents[1], agents[2], agents[3])
        let records = desired.environments.flatMap(\.dnsRecords)
        let recordsOf = { (tunnel: String) in records.filter { $0.tunnel == tunnel }.map { Normalization.dnsName($0.name) } }
        guard let recordD = recordsOf(d).first else { throw F.LoadError(description: "agent D has no record") }
        observed.vms.removeAll { $0.name == a || $0.name == b }
        observed.tunnels.removeAll { $0.name == a || $0.name == c }
        observed.dnsRecords.removeAll { recordsOf(a).contains(Normalization.dnsName($0.name)) || Normalization.dnsName($0.name) == recordD }
        self.desired = desired
        self.observed = observed
        self.gaps = [
            .vmA: ["create vm \(a)"],
            .tunnelA: ["create tunnel \(a)", "create ingress \(a)"],
            .recordsA: Set(recordsOf(a).map { "create dns \($0)" }),
            .vmB: ["create vm \(b)"],
            .tunnelC: Set(["create tunnel \(c)", "create ingress \(c)"] + recordsOf(c).map { "update dns \($0)" }),
            .recordD: ["create dns \(recordD)"],
        ]
    }
}

/// One source partial (or none), the kind of resource it lists, and the gaps whose actions it
/// withholds.
struct PartialSourceCase: Sendable, CustomTestStringConvertible {
    var partial: SourceStatus.Name?
    /// Creations of this kind are withheld as unknown; the rest of `withheld` waits on them.
    var unknownKind: PlanAction.Resource?
    var withheld: Set<GappedWorld.Gap>
    var testDescription: String { self.partial.map { "\($0.rawValue) partial" } ?? "complete observation" }

    static let all: [PartialSourceCase] = [
        // Everything missing is created, as before.
        .init(partial: nil, unknownKind: nil, withheld: []),
        // A's VM and the chain waiting on it (tunnel, ingress, records), and B's VM.
        .init(partial: .gceInstances, unknownKind: .vm, withheld: [.vmA, .tunnelA, .recordsA, .vmB]),
        // A's tunnel and what waits on it, C's tunnel and the repointing of its records.
        .init(partial: .cloudflareTunnels, unknownKind: .tunnel, withheld: [.tunnelA, .recordsA, .tunnelC]),
        // The records: A's and D's.
        .init(partial: .cloudflareDNS, unknownKind: .dns, withheld: [.recordsA, .recordD]),
        // Sources that list nothing the plan creates.
        .init(partial: .cloudflareTunnelConfigurations, unknownKind: nil, withheld: []),
        .init(partial: .agents, unknownKind: nil, withheld: []),
    ]
}

enum PlannerCases {
    typealias F = PlannerFixture

    static func row(_ name: String, _ body: @escaping @Sendable (inout Checks) throws -> Void) -> PlannerCase {
        PlannerCase(name: name) {
            var checks = Checks()
            try body(&checks)
            return checks.failures
        }
    }

    /// An owned VM, its tunnel and one record, none of them in the spec.
    static func orphan(_ name: String, environment: String = "production", pool: String = "web", role: String = "agent") -> (
        ObservedVM, ObservedTunnel, ObservedDNSRecord
    ) {
        (
            ObservedVM(
                name: name,
                zone: "us-central1-a",
                labels: ["dd-fleet": "devopsdefender", "dd-env": environment, "dd-role": role, "dd-pool": pool, "dd-spec": "0000"]
            ),
            ObservedTunnel(id: F.tunnelID(name), name: name, ingress: [.catchAll]),
            ObservedDNSRecord(
                id: "r-\(name)",
                name: "\(name).devopsdefender.com",
                content: "\(F.tunnelID(name)).cfargotunnel.com",
                comment: "managed-by=devopsdefender fleet=devopsdefender env=\(environment)"
            )
        )
    }

    static func adding(_ observed: ObservedState, _ orphan: (ObservedVM, ObservedTunnel, ObservedDNSRecord)) -> ObservedState {
        var observed = observed
        observed.vms.append(orphan.0)
        observed.tunnels.append(orphan.1)
        observed.dnsRecords.append(orphan.2)
        return observed
    }

    static let all: [PlannerCase] = [
        row("empty world: everything is created, VM → tunnel → ingress → DNS") { c in
            let d = try F.desired()
            let plan = F.plan(d, ObservedState(sources: SourceStatus.allComplete, observedAt: F.now))
            let tunnels = d.environments.flatMap(\.tunnels)
            let records = d.environments.flatMap(\.dnsRecords)
            c.that(plan.ids(.create, .vm).count == d.allVMs.count, "one create per VM")
            c.that(plan.ids(.create, .tunnel).count == tunnels.count && plan.ids(.create, .ingress).count == tunnels.count, "tunnel + ingress per VM")
            c.that(plan.ids(.create, .dns).count == records.count, "one create per record")
            c.that(plan.summary.delete == 0 && plan.summary.update == 0, "creates only")
            for tunnel in tunnels {
                c.that(plan.action("create tunnel \(tunnel.name)")?.dependsOn == ["create vm \(tunnel.vm)"], "tunnel after its VM")
            }
            for record in records {
                let dependsOn = plan.action("create dns \(record.name)")?.dependsOn ?? []
                c.that(
                    dependsOn.contains("create tunnel \(record.tunnel)") && dependsOn.contains("create ingress \(record.tunnel)"),
                    "DNS after tunnel + ingress"
                )
            }
            c.that(plan.isWellFormedDAG, "well-formed DAG")
            c.that(plan.summary.sentence == "Plan: \(plan.actions.count) to create, 0 to update, 0 to delete.", "summary sentence")
        },
        row("converged world: the plan is empty") { c in
            let d = try F.desired()
            let plan = F.plan(d, F.converged(d))
            c.that(plan.isEmpty && !plan.isRefused && plan.warnings.isEmpty, "empty: \(plan.actions.map(\.id))")
        },
        row("what the APIs echo back (case, trailing dots, empty catch-all host, writer labels) is not drift") { c in
            let d = try F.desired()
            var o = F.converged(d)
            for index in o.dnsRecords.indices {
                o.dnsRecords[index].name = o.dnsRecords[index].name.uppercased() + "."
                o.dnsRecords[index].content = o.dnsRecords[index].content.uppercased()
            }
            for index in o.tunnels.indices {
                o.tunnels[index].ingress = o.tunnels[index].ingress?.map {
                    IngressRule(hostname: $0.hostname?.uppercased() ?? "", service: $0.service)
                }
            }
            for index in o.vms.indices { o.vms[index].labels["dd-epoch"] = "7" }
            let plan = F.plan(d, o)
            c.that(plan.isEmpty, "no perpetual diff: \(plan.actions.map(\.id))")
        },
        row("label drift: one in-place update; the writer's epoch label is kept") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.vms[0].labels["tier"] = "hacked"
            o.vms[0].labels["dd-epoch"] = "3"
            let plan = F.plan(d, o)
            c.that(plan.actions.count == 1, "one action: \(plan.actions.map(\.id))")
            guard case .setLabels(_, let vm, let labels)? = plan.actions.first?.payload else {
                c.that(false, "setLabels payload")
                return
            }
            c.that(vm == o.vms[0].name && labels["tier"] == "production" && labels["dd-epoch"] == "3", "labels restored, epoch kept")
            c.that(plan.actions[0].changes.contains { $0.field == "labels.tier" && $0.before == "hacked" }, "the change is shown")
        },
        row("ee-config drift: metadata updated in place, shown only as digests") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let wanted = o.vms[1].eeConfig ?? ""
            o.vms[1].eeConfig = "{\"EE_OWNER\":\"mallory\"}"
            let plan = F.plan(d, o)
            c.that(plan.ids(.update, .vm) == ["update vm \(o.vms[1].name) (ee-config)"], "one metadata update: \(plan.actions.map(\.id))")
            let shown = plan.actions.flatMap(\.changes).flatMap { [$0.before ?? "", $0.after ?? ""] }
            c.that(shown.allSatisfy { $0.hasPrefix("sha256:") }, "digests only")
            c.that(!shown.contains { $0.contains("mallory") || $0.contains(wanted) }, "never the value")
        },
        row("missing ee-config metadata is restored") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.vms[2].eeConfig = nil
            let plan = F.plan(d, o)
            c.that(plan.actions.map(\.reason) == ["ee-config metadata missing"], "restored: \(plan.actions.map(\.reason))")
        },
        row("a stopped VM is started, not replaced") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.vms[0].status = "TERMINATED"
            let plan = F.plan(d, o)
            c.that(plan.ids(.update, .vm) == ["update vm \(o.vms[0].name) (start)"], "start: \(plan.actions.map(\.id))")
            c.that(plan.summary.create == 0 && plan.summary.delete == 0, "no replacement")
        },
        row("a VM deleted behind our back: only the VM is recreated") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let gone = o.vms.remove(at: 3)
            let plan = F.plan(d, o)
            c.that(plan.actions.map(\.id) == ["create vm \(gone.name)"], "only the VM: \(plan.actions.map(\.id))")
        },
        row("a tunnel deleted behind our back: tunnel and ingress recreated, its records repointed after them") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let web = try #require(d.environments[0].tunnels.first { $0.ingress.count > 2 })
            o.tunnels.removeAll { $0.name == web.name }
            let plan = F.plan(d, o)
            let records = d.environments[0].dnsRecords.filter { $0.tunnel == web.name }
            c.that(records.count == 2, "the fixture's web VM has two hostnames")
            c.that(plan.ids(.create) == ["create tunnel \(web.name)", "create ingress \(web.name)"], "tunnel + ingress: \(plan.actions.map(\.id))")
            for record in records {
                c.that(
                    plan.action("update dns \(record.name)")?.dependsOn == ["create ingress \(web.name)", "create tunnel \(web.name)"],
                    "record \(record.name) repointed after the tunnel"
                )
            }
        },
        row("ingress drift: one update") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.tunnels[0].ingress = [IngressRule(hostname: "evil.example.com", service: "http://10.0.0.1"), .catchAll]
            let plan = F.plan(d, o)
            c.that(plan.ids(.update, .ingress) == ["update ingress \(o.tunnels[0].name)"] && plan.actions.count == 1, "\(plan.actions.map(\.id))")
            c.that(plan.actions.first?.changes.contains { $0.before == "evil.example.com → http://10.0.0.1" } == true, "old rule shown")
        },
        row("a tunnel configuration that could not be read: no ingress update and no deletions") { c in
            let d = try F.desired()
            var o = F.partial(Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd")), .cloudflareTunnelConfigurations)
            o.tunnels[0].ingress = nil
            let plan = F.plan(d, o)
            c.that(plan.isEmpty, "nothing: \(plan.actions.map(\.id))")
            c.that(plan.withheldDeletions.count == 3, "three deletions withheld: \(plan.withheldDeletions)")
        },
        row("a repointed DNS record is pointed back") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.dnsRecords[0].content = "attacker.example.net"
            let plan = F.plan(d, o)
            c.that(plan.ids(.update, .dns) == ["update dns \(Normalization.dnsName(o.dnsRecords[0].name))"], "\(plan.actions.map(\.id))")
        },
        row("proxying turned off is turned back on") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.dnsRecords[1].proxied = false
            let plan = F.plan(d, o)
            c.that(plan.actions.count == 1 && plan.actions[0].changes.map(\.field) == ["proxied"], "\(plan.actions.map(\.changes))")
        },
        row("a missing record is created with no dependencies (its tunnel exists)") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let gone = o.dnsRecords.removeLast()
            let plan = F.plan(d, o)
            c.that(plan.actions.map(\.id) == ["create dns \(gone.name)"] && plan.actions[0].dependsOn.isEmpty, "\(plan.actions.map(\.id))")
            c.that(plan.actions.first?.changes.first?.after == gone.content, "target known")
        },
        row("a foreign record on a wanted name is a refusal, never an overwrite") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let index = try #require(o.dnsRecords.firstIndex { $0.name == "app.devopsdefender.com" })
            o.dnsRecords[index] = ObservedDNSRecord(id: "foreign", name: "app.devopsdefender.com", type: "A", content: "192.0.2.7", comment: nil)
            let plan = F.plan(d, o)
            c.that(plan.refusals.map(\.code) == [.foreignDNSRecord], "refused: \(plan.refusals)")
            c.that(!plan.touchedNames.contains("app.devopsdefender.com"), "not touched")
        },
        row("other fleets' and unlabelled objects are never in a plan") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.vms.append(
                ObservedVM(name: "dd-production-web-7-12345678", zone: "us-central1-a", labels: ["dd-fleet": "acme", "dd-env": "production"])
            )
            o.vms.append(ObservedVM(name: "hand-made", zone: "us-central1-a", labels: [:]))
            o.tunnels.append(ObservedTunnel(id: "x1", name: "acme-production-cp-12345678"))
            o.tunnels.append(ObservedTunnel(id: "x2", name: "dd-production-web-0-0badcafe-acme"))
            o.tunnels.append(ObservedTunnel(id: "x3", name: "dd-manual"))
            o.dnsRecords.append(
                ObservedDNSRecord(
                    id: "x4",
                    name: "acme.devopsdefender.com",
                    content: "x1.cfargotunnel.com",
                    comment: "managed-by=devopsdefender fleet=acme env=production"
                )
            )
            o.dnsRecords.append(ObservedDNSRecord(id: "x5", name: "www.devopsdefender.com", type: "A", content: "192.0.2.1"))
            o.dnsRecords.append(ObservedDNSRecord(id: "x6", name: "mx.devopsdefender.com", content: "x", comment: "fleet=devopsdefender"))
            let plan = F.plan(d, o)
            c.that(
                plan.isEmpty && plan.ownedCount == F.converged(d).vms.count * 2 + F.converged(d).dnsRecords.count,
                "untouched, not counted: \(plan.actions.map(\.id)) \(plan.ownedCount)"
            )
        },
        row("a lowered count deletes the extra slot: DNS, then tunnel, then VM") { c in
            let d = try F.desired()
            let smaller = try F.desired(replacing: [("count: 3", "count: 2")])
            let plan = F.plan(smaller, F.converged(d))
            let gone = try #require(d.allVMs.first { $0.pool == "web" && $0.slot == 2 && $0.name.hasPrefix("dd-production") })
            c.that(plan.ids(.delete, .vm) == ["delete vm \(gone.name)"], "\(plan.actions.map(\.id))")
            let dns = plan.ids(.delete, .dns)
            c.that(dns.count == 2, "both hostnames: \(dns)")
            c.that(Set(plan.action("delete tunnel \(gone.name)")?.dependsOn ?? []) == Set(dns), "tunnel after its records")
            c.that(plan.action("delete vm \(gone.name)")?.dependsOn == ["delete tunnel \(gone.name)"], "VM last")
            c.that(!plan.isRefused, "under the breaker")
        },
        row("a partial GCE list deletes nothing") { c in
            let d = try F.desired()
            let o = F.partial(Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd")), .gceInstances)
            let plan = F.plan(d, o)
            c.that(plan.summary.delete == 0 && plan.withheldDeletions.count == 3, "withheld: \(plan.withheldDeletions)")
            c.that(plan.warnings.contains { $0.contains("gce.instances is partial") }, "says why")
        },
        row("a partial Cloudflare DNS list (looks empty) deletes nothing") { c in
            let d = try F.desired()
            var o = F.partial(Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd")), .cloudflareDNS)
            o.dnsRecords = []
            let plan = F.plan(d, o)
            c.that(plan.summary.delete == 0, "no deletes: \(plan.ids(.delete))")
            c.that(plan.withheldDeletions.filter { $0.hasPrefix("delete ") }.count == 2, "tunnel and VM withheld: \(plan.withheldDeletions)")
            c.that(
                plan.ids(.create, .dns).isEmpty
                    && plan.withheldDeletions.filter { $0.hasPrefix("create dns ") }.count == d.environments.flatMap(\.dnsRecords).count,
                "the records it did not list are not created either: \(plan.ids(.create, .dns))"
            )
            c.that(
                plan.warnings.contains { $0.contains("action(s) withheld, deletions, creates of objects a partial source did not list") },
                "the warning names both: \(plan.warnings)"
            )
        },
        row("a partial tunnel list deletes nothing") { c in
            let d = try F.desired()
            var o = F.partial(Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd")), .cloudflareTunnels)
            o.tunnels = []
            let plan = F.plan(d, o)
            c.that(plan.summary.delete == 0 && !plan.withheldDeletions.isEmpty, "withheld: \(plan.withheldDeletions)")
        },
        row("a stale snapshot deletes nothing") { c in
            let d = try F.desired()
            var o = Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd"))
            o.observedAt = F.now - 3600
            let plan = F.plan(d, o)
            c.that(plan.summary.delete == 0 && plan.withheldDeletions.count == 3, "withheld: \(plan.withheldDeletions)")
            c.that(plan.warnings.contains { $0.contains("3600 s old") }, "says why")
        },
        row("the control plane's own VM, tunnel and record are never deleted") { c in
            let d = try F.desired()
            let own = Self.orphan("dd-production-cp-00c0ffee", pool: "cp", role: "cp")
            let plan = F.plan(d, Self.adding(F.converged(d), own)) { $0.selfVM = "dd-production-cp-00c0ffee" }
            c.that(plan.isEmpty, "nothing: \(plan.actions.map(\.id))")
            c.that(plan.warnings.contains { $0.contains("dd-production-cp-00c0ffee") }, "said so")
        },
        row("objects an unfinished apply is creating are never deleted") { c in
            let d = try F.desired()
            let plan = F.plan(d, Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd"))) {
                $0.inFlight = ["dd-production-web-9-0000abcd", "dd-production-web-9-0000abcd.devopsdefender.com"]
            }
            c.that(plan.isEmpty, "nothing: \(plan.actions.map(\.id))")
        },
        row("a pool rollout is create-before-destroy with surge 1") { c in
            let d = try F.desired()
            let next = try F.desired(replacing: [("machineType: c3-standard-8", "machineType: c3-standard-16")])
            let plan = F.plan(next, F.converged(d))
            let old = d.environments[0].vms.filter { $0.pool == "web" }.map(\.name)
            let new = next.environments[0].vms.filter { $0.pool == "web" }.map(\.name)
            c.that(Set(plan.ids(.create, .vm)) == Set(new.map { "create vm \($0)" }), "new VMs: \(plan.ids(.create, .vm))")
            c.that(Set(plan.ids(.delete, .vm)) == Set(old.map { "delete vm \($0)" }), "old VMs: \(plan.ids(.delete, .vm))")
            c.that(plan.actions.filter { $0.operation == .delete }.allSatisfy(\.isReplacement), "replacements")
            c.that(!plan.isRefused, "the breaker does not count replacements: \(plan.refusals)")
            for (index, name) in old.enumerated() {
                let waits = plan.action("delete vm \(name)")?.dependsOn ?? []
                c.that(
                    waits.contains("create vm \(new[index])") && waits.contains("create dns \(new[index]).devopsdefender.com"),
                    "old \(index) waits for new \(index)"
                )
            }
            c.that(plan.action("create vm \(new[0])")?.dependsOn.isEmpty == true, "first replacement starts at once")
            c.that(plan.action("create vm \(new[1])")?.dependsOn == ["delete vm \(old[0])"], "second waits for the first old VM to go")
            c.that(plan.action("create vm \(new[2])")?.dependsOn == ["delete vm \(old[1])"], "third waits for the second")
            c.that(plan.isWellFormedDAG, "DAG")
        },
        row("with surge 3 the whole pool rolls at once") { c in
            let d = try F.desired()
            let next = try F.desired(replacing: [("machineType: c3-standard-8", "machineType: c3-standard-16")])
            let plan = F.plan(next, F.converged(d)) { $0.maxSurge = 3 }
            c.that(plan.actions.filter { $0.operation == .create && $0.resource == .vm }.allSatisfy(\.dependsOn.isEmpty), "no gating")
        },
        row("a control-plane replacement flips DNS before the old tunnel goes") { c in
            let d = try F.desired()
            let next = try F.desired(replacing: [
                ("controlPlane:\n      machineType: c3-standard-4", "controlPlane:\n      machineType: c3-standard-8")
            ])
            let plan = F.plan(next, F.converged(d))
            let old = d.environments[0].vms[0].name
            let new = next.environments[0].vms[0].name
            c.that(old != new, "new generation")
            let flip = plan.action("update dns app.devopsdefender.com")
            c.that(flip?.dependsOn == ["create ingress \(new)", "create tunnel \(new)"], "flip after the new tunnel: \(flip?.dependsOn ?? [])")
            c.that(plan.action("delete tunnel \(old)")?.dependsOn.contains("update dns app.devopsdefender.com") == true, "old tunnel after the flip")
            c.that(plan.action("delete vm \(old)")?.dependsOn.contains("delete tunnel \(old)") == true, "old VM last")
            c.that(plan.refusals.isEmpty, "a replacement is not a destroy: \(plan.refusals)")
        },
        row("the production control plane without a successor is refused unless --allow-destroy") { c in
            let d = try F.desired()
            var without = d
            without.environments.removeAll { $0.name == "production" }
            let plan = F.plan(without, F.converged(d)) { $0.maxDeleteFraction = 1 }
            c.that(plan.refusals.map(\.code) == [.protectedControlPlane], "\(plan.refusals.map(\.code))")
            let allowed = F.plan(without, F.converged(d)) {
                $0.maxDeleteFraction = 1
                $0.allowDestroy = true
            }
            c.that(allowed.refusals.isEmpty && allowed.summary.delete > 0, "allowed: \(allowed.refusals)")
        },
        row("the circuit breaker refuses deleting more than the allowed share") { c in
            let d = try F.desired()
            var without = d
            without.environments.removeAll { $0.name == "staging" }
            let refused = F.plan(without, F.converged(d)) { $0.maxDeleteFraction = 0.1 }
            c.that(refused.refusals.map(\.code) == [.circuitBreaker], "\(refused.refusals)")
            let allowed = F.plan(without, F.converged(d))
            c.that(allowed.refusals.isEmpty && allowed.summary.delete == 7, "7 of 28 is under 30%: \(allowed.summary)")
        },
        row("an empty desired set is refused") { c in
            let d = try F.desired()
            var empty = d
            empty.environments = []
            let plan = F.plan(empty, F.converged(d)) { $0.maxDeleteFraction = 1 }
            c.that(plan.refusals.map(\.code).contains(.emptyDesiredState), "\(plan.refusals)")
        },
        row("previews not named are left alone by default") { c in
            let withPreview = try F.desired(previews: [7])
            let plan = F.plan(try F.desired(), F.converged(withPreview))
            c.that(plan.isEmpty, "untouched: \(plan.actions.map(\.id))")
            c.that(plan.warnings.contains { $0.contains("--preview") }, "says how to manage them")
        },
        row("a closed preview is torn down when previews are managed") { c in
            let withPreview = try F.desired(previews: [7])
            let plan = F.plan(try F.desired(), F.converged(withPreview)) { $0.previewScope = .exact }
            c.that(plan.summary.delete == 7 && plan.summary.create == 0, "\(plan.summary)")
            c.that(plan.actions.allSatisfy { $0.environment == "pr-7" && $0.reason == "preview pr-7 is closed" }, "reason")
            c.that(!plan.isRefused, "7 of 35 is under the breaker")
        },
        row("an open preview is created") { c in
            let d = try F.desired()
            let plan = F.plan(try F.desired(previews: [42]), F.converged(d))
            c.that(!plan.isEmpty && plan.actions.allSatisfy { $0.environment == "pr-42" && $0.operation == .create }, "\(plan.actions.map(\.id))")
        },
        row("an environment removed from the spec is pruned") { c in
            let d = try F.desired()
            let plan = F.plan(d, Self.adding(F.converged(d), Self.orphan("dd-qa-cp-0badf00d", environment: "qa", pool: "cp", role: "cp")))
            c.that(
                plan.summary.delete == 3 && plan.actions.allSatisfy { $0.reason == "environment qa is not in the spec" },
                "\(plan.actions.map(\.reason))"
            )
            c.that(plan.environments.last == "qa", "shown as its own environment")
        },
        row("a duplicate owned record on a managed name is deleted") { c in
            let d = try F.desired()
            var o = F.converged(d)
            var twin = o.dnsRecords[0]
            twin.id = "twin"
            twin.content = "old.cfargotunnel.com"
            o.dnsRecords.append(twin)
            let plan = F.plan(d, o)
            c.that(plan.actions.map(\.id) == ["delete dns \(twin.name) (twin)"], "\(plan.actions.map(\.id))")
        },
        row("the same VM name in a second zone: the stray is deleted") { c in
            let d = try F.desired()
            var o = F.converged(d)
            var stray = o.vms[0]
            stray.zone = stray.zone == "us-central1-a" ? "us-central1-c" : "us-central1-a"
            o.vms.append(stray)
            let plan = F.plan(d, o)
            c.that(plan.actions.map(\.id) == ["delete vm \(stray.name) (\(stray.zone))"], "\(plan.actions.map(\.id))")
            c.that(plan.actions.first?.reason == "duplicate instance in \(stray.zone)", "reason")
        },
        row("stale agents are reported, not acted on") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.agents = [ObservedAgent(vm: o.vms[1].name, health: .stale, lastSeen: F.now - 600)]
            let plan = F.plan(d, o)
            c.that(plan.isEmpty && plan.warnings.contains { $0.contains(o.vms[1].name) }, "\(plan.warnings)")
        },
        row("a tunnel named like ours but with no VM, record or spec entry of ours (another fleet's) is never deleted") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.tunnels.append(ObservedTunnel(id: "other", name: "dd-production-gpu-0-1a2b3c4d"))
            o.tunnels.append(ObservedTunnel(id: "other-preview", name: "dd-pr-7-cp-1a2b3c4d"))
            let plan = F.plan(d, o) { $0.previewScope = .exact }
            c.that(plan.isEmpty, "untouched: \(plan.actions.map(\.id))")
            c.that(plan.warnings.contains { $0.contains("2 tunnel(s) named like this fleet's") }, "\(plan.warnings)")
        },
        row("a rollout interrupted after its creates finishes its deletions without tripping the breaker") { c in
            let old = try F.desired()
            let next = try F.desired(replacing: [("image:\n      family: easyenclave-stable", "image:\n      family: easyenclave-next")])
            var o = F.converged(old)
            let fresh = F.converged(next)
            o.vms += fresh.vms
            o.tunnels += fresh.tunnels
            o.dnsRecords = fresh.dnsRecords  // DNS already flipped to the new generation
            let plan = F.plan(next, o)
            c.that(plan.summary.create == 0 && plan.summary.delete == old.allVMs.count * 2, "old VMs and tunnels go: \(plan.summary)")
            c.that(!plan.isRefused, "replacements are not mass deletions: \(plan.refusals)")
            c.that(plan.actions.allSatisfy(\.isReplacement), "all replacements")
        },
        row("labels the spec does not manage (billing tools, goog-) are kept and never diffed") { c in
            let d = try F.desired()
            var o = F.converged(d)
            o.vms[0].labels["goog-ops-agent"] = "v2"
            o.vms[0].labels["billing"] = "team-a"
            c.that(F.plan(d, o).isEmpty, "no diff")
            o.vms[0].labels["tier"] = "hacked"
            let plan = F.plan(d, o)
            guard case .setLabels(_, _, let labels)? = plan.actions.first?.payload else {
                c.that(false, "a label update")
                return
            }
            c.that(labels["goog-ops-agent"] == "v2" && labels["billing"] == "team-a" && labels["tier"] == "production", "kept: \(labels)")
            c.that(plan.actions[0].changes.map(\.field) == ["labels.tier"], "only the managed key shown")
        },
        row("deterministic: shuffled observations give the same plan") { c in
            let d = try F.desired()
            let next = try F.desired(replacing: [("machineType: c3-standard-8", "machineType: c3-standard-16")])
            var o = Self.adding(F.converged(d), Self.orphan("dd-production-web-9-0000abcd"))
            let first = F.plan(next, o)
            o.vms.reverse()
            o.tunnels.shuffle()
            o.dnsRecords.shuffle()
            c.that(F.plan(next, o) == first, "same plan")
            c.that(first.isWellFormedDAG, "DAG")
        },
    ]
}
