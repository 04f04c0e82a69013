import Reconciler
import Spec
import Testing

extension PlannerTests {
    /// A control plane reconciles its own environment only: the scope's rows.
    @Test(arguments: PlannerScopeCases.all)
    func scoped(_ row: PlannerCase) throws {
        let failures = try row.run()
        #expect(failures.isEmpty, "\(row.name): \(failures.joined(separator: "; "))")
    }
}

/// The environment scope, over the example fleet (production and staging) and its previews.
enum PlannerScopeCases {
    typealias F = PlannerFixture
    typealias C = PlannerCases

    static let staging = EnvironmentScope.only(["staging"], previews: false)
    static let stagingAndPreviews = EnvironmentScope.only(["staging"], previews: true)

    /// Owned objects of `environment` in `observed`: VMs by label, tunnels by name, records by comment.
    static func owned(_ observed: ObservedState, in environment: String) -> Int {
        observed.vms.filter { $0.labels["dd-env"] == environment }.count
            + observed.tunnels.filter { $0.name.hasPrefix("dd-\(environment)-") }.count
            + observed.dnsRecords.filter { $0.comment?.hasSuffix(" env=\(environment)") == true }.count
    }

    /// Production drifted every way a plan would act on: labels, ee-config, a stopped VM, a VM
    /// and a tunnel deleted, ingress and a record changed, and an orphan not in the spec.
    static func driftedProduction(_ desired: DesiredState) throws -> ObservedState {
        var o = C.adding(F.converged(desired), C.orphan("dd-production-web-9-0000abcd"))
        let production = o.vms.indices.filter { o.vms[$0].labels["dd-env"] == "production" }
        guard production.count >= 4 else { throw F.LoadError(description: "the fixture needs four production VMs") }
        o.vms[production[0]].labels["tier"] = "hacked"
        o.vms[production[1]].eeConfig = "{}"
        o.vms[production[2]].status = "TERMINATED"
        o.vms.remove(at: production[3])
        let tunnels = o.tunnels.indices.filter { o.tunnels[$0].name.hasPrefix("dd-production-") }
        o.tunnels[tunnels[0]].ingress = [.catchAll]
        o.tunnels.remove(at: tunnels[1])
        let record = try #require(o.dnsRecords.firstIndex { $0.name == "app.devopsdefender.com" })
        o.dnsRecords[record].content = "attacker.example.net"
        return o
    }

    static let all: [PlannerCase] = [
        C.row("scope: a staging plan of a converged fleet is empty, lists staging only, and counts only staging") { c in
            let d = try F.desired()
            let o = F.converged(d)
            let plan = F.plan(d, o) { $0.environmentScope = Self.staging }
            c.that(plan.isEmpty && !plan.isRefused && plan.warnings.isEmpty, "empty: \(plan.actions.map(\.id)) \(plan.warnings)")
            c.that(plan.environments == ["staging"], "environments: \(plan.environments)")
            c.that(
                plan.ownedCount == Self.owned(o, in: "staging") && plan.ownedCount < F.plan(d, o).ownedCount,
                "counted \(plan.ownedCount), staging holds \(Self.owned(o, in: "staging"))"
            )
        },
        C.row("scope: production's drift is neither updated, recreated nor deleted by a staging plan; staging's drift is") { c in
            let d = try F.desired()
            var o = try Self.driftedProduction(d)
            let stagingVM = try #require(o.vms.firstIndex { $0.labels["dd-env"] == "staging" })
            o.vms[stagingVM].labels["tier"] = "hacked"
            let unscoped = F.plan(d, o)
            c.that(unscoped.actions.contains { $0.environment == "production" }, "unscoped, production is converged")
            let plan = F.plan(d, o) { $0.environmentScope = Self.staging }
            c.that(plan.actions.map(\.id) == ["update vm \(o.vms[stagingVM].name)"], "staging's label only: \(plan.actions.map(\.id))")
            c.that(!plan.isRefused && plan.withheld.isEmpty, "\(plan.refusals) \(plan.withheldDeletions)")
            c.that(!plan.warnings.contains { $0.contains("--preview") || $0.contains("production") }, "nothing said of production: \(plan.warnings)")
        },
        C.row("scope: a staging plan given only staging's desired state deletes nothing of production, refuses nothing") { c in
            let d = try F.desired()
            let stagingOnly = d.restricted(to: Self.staging)
            c.that(stagingOnly.environments.map(\.name) == ["staging"] && stagingOnly.fleet == d.fleet, "restricted")
            let o = try Self.driftedProduction(d)
            let unscoped = F.plan(stagingOnly, o)
            c.that(unscoped.summary.delete > 0 && unscoped.isRefused, "unscoped, production would go: \(unscoped.refusals.map(\.code))")
            let plan = F.plan(stagingOnly, o) { $0.environmentScope = Self.staging }
            c.that(plan.isEmpty && !plan.isRefused, "untouched: \(plan.actions.map(\.id)) \(plan.refusals)")
            c.that(plan.ownedCount == Self.owned(o, in: "staging"), "counted \(plan.ownedCount)")
        },
        C.row("scope: the circuit breaker's share is over the scope only") { c in
            let d = try F.desired()
            let o = F.converged(d)
            let smaller = try F.desired(replacing: [("count: 1\n        machineType: c3-standard-4", "count: 0\n        machineType: c3-standard-4")])
            let unscoped = F.plan(smaller, o)
            let deletes = unscoped.summary.delete
            c.that(deletes >= 3 && unscoped.actions.allSatisfy { $0.environment == "staging" } && !unscoped.isRefused, "\(unscoped.refusals)")
            let plan = F.plan(smaller, o) { $0.environmentScope = Self.staging }
            let total = Self.owned(o, in: "staging")
            c.that(plan.refusals.map(\.code) == [.circuitBreaker], "\(deletes) of \(total) trips the breaker: \(plan.refusals)")
            c.that(plan.refusals.first?.message.contains("deletes \(deletes) of \(total) owned objects") == true, "\(plan.refusals)")
            let allowed = F.plan(smaller, o) {
                $0.environmentScope = Self.staging
                $0.maxDeleteFraction = 1
            }
            c.that(allowed.actions.map(\.id) == unscoped.actions.map(\.id) && !allowed.isRefused, "the same deletions: \(allowed.actions.map(\.id))")
        },
        C.row("scope: previews are out of a scope without previews — not created, not torn down, not warned about") { c in
            let open = try F.desired(previews: [7])
            let o = F.converged(try F.desired(previews: [8]))
            let plan = F.plan(open, o) {
                $0.environmentScope = Self.staging
                $0.previewScope = .exact
            }
            c.that(plan.isEmpty && plan.warnings.isEmpty, "untouched: \(plan.actions.map(\.id)) \(plan.warnings)")
            c.that(plan.ownedCount == Self.owned(o, in: "staging") && plan.environments == ["staging"], "\(plan.ownedCount) \(plan.environments)")
        },
        C.row("scope: with previews, named previews are created and closed ones torn down under --preview rules") { c in
            let open = try F.desired(previews: [7])
            let o = F.converged(try F.desired(previews: [8]))
            let exact = F.plan(open, o) {
                $0.environmentScope = Self.stagingAndPreviews
                $0.previewScope = .exact
                $0.maxDeleteFraction = 1
            }
            let environments = Set(exact.actions.map(\.environment))
            c.that(environments == ["pr-7", "pr-8"], "previews only: \(environments)")
            c.that(exact.actions.allSatisfy { ($0.environment == "pr-7") == ($0.operation == .create) }, "pr-7 created, pr-8 deleted")
            c.that(exact.ownedCount == Self.owned(o, in: "staging") + Self.owned(o, in: "pr-8"), "counted \(exact.ownedCount)")
            c.that(exact.environments == ["staging", "pr-7", "pr-8"], "\(exact.environments)")
            let untouched = F.plan(open, o) { $0.environmentScope = Self.stagingAndPreviews }
            c.that(untouched.actions.allSatisfy { $0.environment == "pr-7" && $0.operation == .create }, "\(untouched.actions.map(\.id))")
            c.that(
                untouched.warnings.contains { $0.contains("previews not named with --preview") },
                "the preview warning stays: \(untouched.warnings)"
            )
        },
        C.row("scope: a staging plan neither refuses on nor repoints production's records; staging's own conflicts stay") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let app = try #require(o.dnsRecords.firstIndex { $0.name == "app.devopsdefender.com" })
            o.dnsRecords[app] = ObservedDNSRecord(id: "foreign", name: "app.devopsdefender.com", type: "A", content: "192.0.2.7", comment: nil)
            let staging = try #require(o.dnsRecords.firstIndex { $0.name == "app-staging.devopsdefender.com" })
            o.dnsRecords[staging].comment = "managed-by=devopsdefender fleet=devopsdefender env=production"
            o.dnsRecords[staging].content = "elsewhere.cfargotunnel.com"
            let unscoped = F.plan(d, o)
            c.that(unscoped.isRefused && unscoped.action("update dns app-staging.devopsdefender.com") != nil, "unscoped: refused, and repoints")
            let plan = F.plan(d, o) { $0.environmentScope = Self.staging }
            c.that(plan.isEmpty && !plan.isRefused, "untouched: \(plan.actions.map(\.id)) \(plan.refusals)")
            c.that(
                plan.warnings.contains { $0.contains("app-staging.devopsdefender.com") && $0.contains("held by a record of production") },
                "says why the staging name waits: \(plan.warnings)"
            )
            var foreign = F.converged(d)
            let own = try #require(foreign.dnsRecords.firstIndex { $0.name == "app-staging.devopsdefender.com" })
            foreign.dnsRecords[own] = ObservedDNSRecord(id: "foreign", name: "app-staging.devopsdefender.com", type: "A", content: "192.0.2.8")
            let refused = F.plan(d, foreign) { $0.environmentScope = Self.staging }
            c.that(refused.refusals.map(\.code) == [.foreignDNSRecord], "a foreign record on staging's name: \(refused.refusals)")
        },
        C.row("scope: a VM the spec wants in staging but labelled for production is left alone, not twinned") { c in
            let d = try F.desired()
            var o = F.converged(d)
            let index = try #require(o.vms.firstIndex { $0.labels["dd-env"] == "staging" })
            o.vms[index].labels["dd-env"] = "production"
            let plan = F.plan(d, o) { $0.environmentScope = Self.staging }
            c.that(plan.isEmpty, "neither relabelled nor created: \(plan.actions.map(\.id))")
            c.that(plan.warnings.contains { $0.contains(o.vms[index].name) && $0.contains("dd-env=production") }, "\(plan.warnings)")
        },
        C.row("scope: a scope whose environments the spec does not declare is refused as empty, naming the scope") { c in
            let d = try F.desired()
            let plan = F.plan(d, F.converged(d)) { $0.environmentScope = .only(["qa"], previews: false) }
            c.that(plan.refusals.map(\.code) == [.emptyDesiredState] && plan.isEmpty, "\(plan.refusals) \(plan.actions.map(\.id))")
            c.that(plan.refusals.first?.message.contains("no VMs in this plan's scope (qa)") == true, "\(plan.refusals)")
        },
        C.row("scope: naming every environment with previews plans exactly as unscoped") { c in
            let d = try F.desired(previews: [7])
            let o = C.adding(try Self.driftedProduction(try F.desired(previews: [8])), C.orphan("dd-staging-web-9-0000abcd", environment: "staging"))
            let every = EnvironmentScope.only(["production", "staging"], previews: true)
            for previewScope in [PlannerOptions.PreviewScope.untouched, .exact] {
                let unscoped = F.plan(d, o) { $0.previewScope = previewScope }
                let scoped = F.plan(d, o) {
                    $0.previewScope = previewScope
                    $0.environmentScope = every
                }
                c.that(scoped == unscoped && !unscoped.isEmpty, "\(previewScope): the same plan")
            }
            c.that(d.restricted(to: .all) == d && d.restricted(to: every) == d, "restricting to everything keeps everything")
        },
    ]
}
