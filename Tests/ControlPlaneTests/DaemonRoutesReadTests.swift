import ControlPlane
import Daemon
import Foundation
import ProviderSupport
import Reconciler
import Testing

/// `GET /status` and `GET /plans/ENV` on a real server, and the read routes under a webhook flood.
@Suite struct DaemonRoutesReadTests {
    static let observed = Revision(String(repeating: "b", count: 40))
    static let applied = Revision(String(repeating: "a", count: 40))
    static let source = SourceDescription(url: "https://github.com/devopsdefender/fleet", branch: "main", path: "fleet.yaml")

    /// A status with every field the document carries.
    static func productionStatus() -> EnvironmentStatus {
        var status = EnvironmentStatus(name: "production", now: 1_700_000_000)
        status.conditions.set(.sourceReady, .true, reason: "Fetched", message: "fleet.yaml at bbbbbbbbbbbb is valid", now: 1_700_000_100)
        status.conditions.set(.ready, .true, reason: "Converged", message: "nothing to change", now: 1_700_000_200)
        status.conditions.set(.stalled, .false, reason: "NotStalled", message: "moving on by itself", now: 1_700_000_200)
        status.observedRevision = Self.observed
        status.appliedRevision = Self.applied
        status.lastPass = PassSummary(
            result: "converged",
            revision: Self.applied?.hex,
            startedAt: 1_700_000_190,
            finishedAt: 1_700_000_200,
            trigger: .webhook,
            create: 1,
            update: 2
        )
        return status
    }

    static func plan() throws -> RenderedPlan {
        let revision = try #require(Self.applied)
        return RenderedPlan(
            revision: revision,
            plan: Plan(fleet: "devopsdefender", environments: ["production"], actions: []),
            inputs: PlanInputs(file: "fleet.yaml", specDigest: "spec-digest", observedDigest: "observed-digest", settings: ReconcileSettings())
        )
    }

    @Test("GET /status: the versioned document, conditions as an array, revisions and the last pass; it decodes into StatusDocument")
    func status() async throws {
        let production = FakeEnvironment("production", status: Self.productionStatus())
        let staging = FakeEnvironment("staging")
        try await DaemonRoutesServer.with(environments: [production, staging], source: Self.source) { server in
            let response = try await server.get("/status")
            #expect(response.status == 200, "\(response.text)")
            #expect(response.header("content-type") == "application/json")

            let object = try response.object()
            #expect(object["version"] as? String == "devopsdefender.status/v1")
            #expect(object["generatedAt"] as? Int == Int(DaemonRoutesServer.now))
            let source = try #require(object["source"] as? [String: Any])
            #expect(source["url"] as? String == Self.source.url && source["branch"] as? String == "main")
            let environments = try #require(object["environments"] as? [[String: Any]])
            #expect(environments.map { $0["name"] as? String } == ["production", "staging"])

            let first = environments[0]
            let conditions = try #require(first["conditions"] as? [[String: Any]], "conditions are an array")
            #expect(conditions.count == ConditionType.allCases.count)
            for condition in conditions {
                #expect(Set(condition.keys) == ["type", "status", "reason", "message", "lastTransitionTime"], "\(condition)")
            }
            let ready = try #require(conditions.first { $0["type"] as? String == "Ready" })
            #expect(ready["status"] as? String == "True")
            #expect(ready["reason"] as? String == "Converged")
            #expect(ready["message"] as? String == "nothing to change")
            #expect(ready["lastTransitionTime"] as? Int == 1_700_000_200)
            #expect(first["appliedRevision"] as? String == Self.applied?.hex)
            #expect(first["observedRevision"] as? String == Self.observed?.hex)
            let lastPass = try #require(first["lastPass"] as? [String: Any])
            #expect(lastPass["result"] as? String == "converged" && lastPass["trigger"] as? String == "webhook")
            #expect(lastPass["create"] as? Int == 1 && lastPass["update"] as? Int == 2)

            let decoded = try JSONDecoder().decode(StatusDocument.self, from: Data(response.body))
            let expected = StatusDocument(
                generatedAt: DaemonRoutesServer.now,
                source: Self.source,
                environments: [Self.productionStatus(), EnvironmentStatus(name: "staging", now: 0)]
            )
            #expect(decoded == expected)
        }
    }

    @Test("GET /plans/ENV: JSON by default, markdown on request; 404 unknown or not planned yet; 400 for another format")
    func plans() async throws {
        let plan = try Self.plan()
        let production = FakeEnvironment("production", plan: plan)
        let staging = FakeEnvironment("staging")
        try await DaemonRoutesServer.with(environments: [production, staging]) { server in
            let json = try await server.get("/plans/production")
            #expect(json.status == 200, "\(json.text)")
            #expect(json.header("content-type") == "application/json")
            #expect(json.text == plan.json)
            _ = try JSONSerialization.jsonObject(with: Data(json.body))

            let explicit = try await server.get("/plans/production?format=json")
            #expect(explicit.status == 200 && explicit.text == plan.json)

            let markdown = try await server.get("/plans/production?format=markdown")
            #expect(markdown.status == 200, "\(markdown.text)")
            #expect(markdown.header("content-type") == "text/markdown; charset=utf-8")
            #expect(markdown.text == plan.markdown)

            let unknown = try await server.get("/plans/qa")
            #expect(unknown.status == 404, "\(unknown.text)")
            #expect(unknown.text.contains("production, staging"), "the refusal names what is reconciled: \(unknown.text)")

            let notYet = try await server.get("/plans/staging")
            #expect(notYet.status == 404, "\(notYet.text)")
            #expect(notYet.text.contains("no plan for staging yet"), "\(notYet.text)")

            let yaml = try await server.get("/plans/production?format=yaml")
            #expect(yaml.status == 400, "\(yaml.text)")
        }
    }

    @Test("a flood of 200 concurrent signed deliveries: every one 202, 200 wakes each, while /health and /status keep answering")
    func flood() async throws {
        let environments = [FakeEnvironment("production"), FakeEnvironment("staging")]
        let deliveries = 200
        try await DaemonRoutesServer.with(environments: environments) { server in
            let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
                for index in 0..<deliveries {
                    group.addTask { [try await server.hook(delivery: "flood-\(index)").status] }
                }
                group.addTask {
                    var reads: [Int] = []
                    for _ in 0..<20 {
                        let health = try await server.get("/health")
                        #expect(health.status == 503, "an empty registration slot: \(health.text)")
                        let status = try await server.get("/status")
                        #expect(status.status == 200, "\(status.text)")
                        reads.append(status.status)
                    }
                    #expect(reads.count == 20)
                    return []
                }
                var statuses: [Int] = []
                for try await part in group { statuses += part }
                return statuses
            }
            #expect(statuses.count == deliveries)
            #expect(statuses.allSatisfy { $0 == 202 }, "\(Dictionary(grouping: statuses) { $0 }.mapValues(\.count))")
            for environment in environments {
                let wakes = environment.recorded.wakes
                #expect(wakes.count == deliveries && wakes.allSatisfy { $0 == .webhook }, "\(environment.environment): \(wakes.count)")
            }
        }
    }
}
