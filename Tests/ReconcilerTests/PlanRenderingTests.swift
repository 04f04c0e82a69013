import Foundation
import Reconciler
import Spec
import Testing

/// The three plan forms: text for terminals, versioned JSON, Markdown for pull requests.
@Suite struct PlanRenderingTests {
    typealias F = PlannerFixture

    /// A plan with creates, an update, deletes and a warning.
    static func mixedPlan() throws -> Plan {
        let d = try F.desired()
        var o = F.converged(d)
        o.vms[0].labels["tier"] = "hacked"
        o.dnsRecords.removeLast()
        o.vms.append(ObservedVM(name: "dd-qa-cp-0badf00d", zone: "us-central1-a", labels: ["dd-fleet": "devopsdefender", "dd-env": "qa"]))
        o.agents = [ObservedAgent(vm: o.vms[1].name, health: .stale, lastSeen: 0)]
        return F.plan(d, o)
    }

    @Test func textGroupsByEnvironmentAndEndsWithTheSummary() throws {
        let plan = try Self.mixedPlan()
        let text = PlanTextRenderer(useColor: false).render(plan)
        #expect(!text.contains("\u{1B}["), "no colours when asked for none")
        #expect(text.hasSuffix("\nPlan: 1 to create, 1 to update, 1 to delete.\n"), "\(text.suffix(200))")
        let production = try #require(text.range(of: "\nproduction\n"))
        let qa = try #require(text.range(of: "\nqa\n"))
        #expect(production.lowerBound < qa.lowerBound)
        #expect(text.contains("  ~ vm      \(plan.actions[0].name)  # labels differ\n      labels.tier: hacked → production\n"))
        #expect(text.contains("Warning: stale agents"))
        let colored = PlanTextRenderer(useColor: true).render(plan)
        #expect(colored.contains("\u{1B}[32m+ dns") && colored.contains("\u{1B}[31m- vm"))
    }

    @Test func jsonIsVersionedAndComplete() throws {
        let plan = try Self.mixedPlan()
        let json = PlanJSONRenderer.document(plan, inputs: .object([("file", .string("fleet.yaml"))])).prettyJSON()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["formatVersion"] as? Int == Plan.formatVersion)
        #expect(document["summary"] as? [String: Int] == ["create": 1, "update": 1, "delete": 1])
        let actions = try #require(document["actions"] as? [[String: Any]])
        #expect(actions.map { $0["id"] as? String } == plan.actions.map(\.id))
        #expect(actions.allSatisfy { $0["dependsOn"] is [String] && $0["changes"] is [[String: Any]] })
        #expect((document["sources"] as? [[String: Any]])?.count == SourceStatus.Name.allCases.count)
        #expect((document["inputs"] as? [String: String])?["file"] == "fleet.yaml")
        #expect(document["refused"] as? Bool == false)
    }

    @Test func markdownPutsTheSummaryFirst() throws {
        let plan = try Self.mixedPlan()
        let markdown = PlanMarkdownRenderer().render(plan)
        #expect(markdown.hasPrefix("### DevOps Defender plan for `devopsdefender`\n\n**Plan: 1 to create, 1 to update, 1 to delete.**"))
        #expect(markdown.contains("<details><summary><b>qa</b>: 1 to delete</summary>"))
        for action in plan.actions { #expect(markdown.contains("`\(action.name)`")) }
        #expect(!markdown.contains("not shown"))
    }

    @Test func markdownIsCappedWithANote() throws {
        var yaml = try F.exampleYAML()
        yaml = yaml.replacingOccurrences(of: "count: 3", with: "count: 400").replacingOccurrences(of: "count: 2", with: "count: 400")
        let d = try F.desired(yaml)
        let plan = F.plan(d, ObservedState(sources: SourceStatus.allComplete, observedAt: F.now))
        #expect(plan.actions.count > 3000)
        let markdown = PlanMarkdownRenderer().render(plan)
        #expect(markdown.count <= 60_000, "\(markdown.count) characters")
        #expect(markdown.hasPrefix("### DevOps Defender plan for `devopsdefender`\n\n**Plan: \(plan.summary.create) to create"))
        #expect(markdown.contains("more action(s) not shown: the comment is capped at 60000 characters"))
        #expect(markdown.components(separatedBy: "<details>").count == markdown.components(separatedBy: "</details>").count, "tags balanced")
        let small = PlanMarkdownRenderer(maximumCharacters: 2_000).render(plan)
        #expect(small.count <= 2_000)
    }

    @Test func refusalsAndPartialSourcesAreShownFirst() throws {
        let d = try F.desired()
        var empty = d
        empty.environments = []
        let plan = F.plan(empty, F.partial(F.converged(d), .cloudflareDNS))
        let markdown = PlanMarkdownRenderer().render(plan)
        #expect(markdown.contains("⛔ **Refused by policy.**") && markdown.contains("**empty-desired-state**"))
        #expect(markdown.contains("Partial observation: `cloudflare.dns`"))
        let text = PlanTextRenderer(useColor: false).render(plan)
        #expect(text.contains("cloudflare.dns PARTIAL") && text.contains("Refused (empty-desired-state)"))
    }

    @Test func withheldActionsAreListedWithTheirReasons() throws {
        let d = try F.desired()
        var o = F.partial(F.converged(d), .gceInstances)
        let gone = o.vms.remove(at: 3)
        let plan = F.plan(d, o)
        let reason = "unknown: gce.instances is partial (HTTP 500 on page 3)"
        let json = PlanJSONRenderer.document(plan).prettyJSON()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["withheld"] as? [String] == ["create vm \(gone.name)"])
        #expect(document["withheldReasons"] as? [[String: String]] == [["id": "create vm \(gone.name)", "reason": reason]])
        let text = PlanTextRenderer(useColor: false).render(plan)
        #expect(text.contains("\nWithheld (planned again once the observation is complete and fresh)\n  ? create vm \(gone.name)  # \(reason)\n"))
        #expect(!text.contains("not found in GCE") && text.hasSuffix("\nPlan: 0 to create, 0 to update, 0 to delete.\n"), "\(text)")
        let markdown = PlanMarkdownRenderer().render(plan)
        #expect(markdown.contains("Partial observation: `gce.instances` — no deletions planned, nor creates of what it did not list."))
        let complete = PlanJSONRenderer.document(F.plan(d, F.converged(d))).prettyJSON()
        #expect(complete.contains("\"withheld\": [],") && complete.contains("\"withheldReasons\": [],"), "\(complete.prefix(400))")
    }
}
