import Foundation
import Spec
import Testing

/// Expansion is pure and deterministic, names follow their rules, and no secret reaches a VM.
@Suite struct ExpansionTests {
    func expand(_ fleet: ResolvedFleet, previews: [Int] = []) throws -> DesiredState {
        var diagnostics = DiagnosticCollector(file: fleet.file)
        let state = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics)
        return try #require(state, "\(diagnostics.diagnostics)")
    }

    @Test func sameInputGivesByteIdenticalOutput() throws {
        let bytes = try Fixtures.bytes("examples/fleet.yaml")
        let renders = try (0..<3).map { _ in
            let fleet = try #require(FleetSpecLoader.load(bytes, file: "f.yaml").fleet)
            let state = try self.expand(fleet, previews: [7, 3])
            return (state.structured().json(), state.structured().yaml())
        }
        #expect(Set(renders.map(\.0)).count == 1)
        #expect(Set(renders.map(\.1)).count == 1)
    }

    @Test func exampleExpandsToTheDeclaredVMs() throws {
        let state = try self.expand(try Fixtures.exampleFleet)
        let production = try #require(state.environments.first { $0.name == "production" })
        #expect(production.vms.map(\.pool) == ["cp", "web", "web", "web", "batch", "batch"])
        #expect(production.vms.first?.role == .controlPlane)
        #expect(production.vms.first?.hostname == "app.devopsdefender.com")
        #expect(production.vms.map(\.zone) == ["us-central1-c", "us-central1-a", "us-central1-c", "us-central1-a", "us-central1-a", "us-central1-c"])
        // staging inherits: web overridden to 1 VM of c3-standard-4, batch removed by count 0.
        let staging = try #require(state.environments.first { $0.name == "staging" })
        #expect(staging.vms.map(\.pool) == ["cp", "web"])
        #expect(staging.vms[1].machineType == "c3-standard-4")
        #expect(staging.vms[1].diskGb == 50)
        #expect(staging.hostname == "app-staging.devopsdefender.com")
    }

    @Test func namesAreValidUniqueAndCarryOwnershipLabels() throws {
        let state = try self.expand(try Fixtures.exampleFleet, previews: [1, 999_999])
        let names = state.allVMs.map(\.name)
        #expect(Set(names).count == names.count)
        for vm in state.allVMs {
            #expect(StringRule.gceResourceName.matches(vm.name), "\(vm.name)")
            #expect(vm.labels["dd-fleet"] == "devopsdefender")
            #expect(vm.labels["dd-role"] == (vm.role == .controlPlane ? "cp" : "agent"))
            #expect(vm.labels["dd-spec"]?.hasPrefix(vm.generation) == true)
            for (key, value) in vm.labels {
                #expect(StringRule.labelKey.matches(key) && StringRule.labelValue.matches(value), "\(key)=\(value)")
            }
        }
        let hostnames = state.environments.flatMap(\.dnsRecords).map(\.name)
        #expect(Set(hostnames).count == hostnames.count)
        #expect(hostnames.allSatisfy { DNSName.isValid($0) && $0.hasSuffix(".devopsdefender.com") })
        #expect(state.environments.flatMap(\.dnsRecords).allSatisfy { $0.comment.hasPrefix("managed-by=devopsdefender fleet=devopsdefender env=") })
    }

    @Test func tunnelsEndWithTheCatchAllAndRouteExposedPorts() throws {
        let state = try self.expand(try Fixtures.exampleFleet)
        for tunnel in state.environments.flatMap(\.tunnels) {
            #expect(tunnel.ingress.last == .catchAll)
            #expect(tunnel.ingress.dropLast().allSatisfy { $0.hostname != nil })
        }
        let web = try #require(state.environments[0].tunnels.first { $0.name.contains("-web-0-") })
        #expect(web.ingress.map(\.service) == ["http://localhost:8080", "http://localhost:9000", "http_status:404"])
        #expect(web.ingress[1].hostname == "\(web.name)-hello.devopsdefender.com")
    }

    @Test func eeConfigIsWhatEasyEnclaveReads() throws {
        let state = try self.expand(try Fixtures.exampleFleet)
        let vm = try #require(state.allVMs.first { $0.pool == "batch" })
        let outer = try #require(try JSONSerialization.jsonObject(with: Data(vm.eeConfig.metadataValue.utf8)) as? [String: Any])
        #expect(Set(outer.keys) == ["EE_BOOT_WORKLOADS", "EE_OWNER"])
        #expect(outer["EE_OWNER"] as? String == "devopsdefender")
        let inner = try #require(outer["EE_BOOT_WORKLOADS"] as? String)
        let workloads = try #require(try JSONSerialization.jsonObject(with: Data(inner.utf8)) as? [[String: Any]])
        #expect(workloads.map { $0["app_name"] as? String } == ["cloudflared", "devopsdefender", "report-builder"])
        let agentEnvironment = try #require(workloads[1]["env"] as? [String])
        #expect(agentEnvironment.contains("DD_VM_NAME=\(vm.name)"))
        #expect(agentEnvironment.contains("DD_SECRET_ENV=report-builder/DATABASE_PASSWORD"))
        // The secret's source is not in VM metadata, and neither is any value for it.
        #expect(!vm.eeConfig.metadataValue.contains("REPORTS_DB_PASSWORD"))
        #expect(workloads[2]["env"] as? [String] == ["REGION=us-central1"])
    }

    @Test func generationChangesOnlyForTheChangedPool() throws {
        let text = String(decoding: try Fixtures.bytes("examples/fleet.yaml"), as: UTF8.self)
        let changed = text.replacingOccurrences(of: "machineType: c3-standard-8", with: "machineType: c3-standard-22")
        let before = try self.expand(try #require(Fixtures.load(text).fleet))
        let after = try self.expand(try #require(Fixtures.load(changed).fleet))
        let names = { (state: DesiredState) in state.environments[0].vms.map(\.name) }
        let changedNames = zip(names(before), names(after)).filter { $0 != $1 }.map(\.0)
        #expect(changedNames.count == 3)
        #expect(changedNames.allSatisfy { $0.contains("-web-") })
    }

    @Test func previewsCopyTheirTemplate() throws {
        let state = try self.expand(try Fixtures.exampleFleet, previews: [42, 42, 7])
        let previews = state.environments.filter { $0.kind == .preview }
        #expect(previews.map(\.name) == ["pr-7", "pr-42"])
        #expect(previews.map(\.hostname) == ["pr-7.devopsdefender.com", "pr-42.devopsdefender.com"])
        #expect(previews.allSatisfy { $0.ttlSeconds == 72 * 3600 && $0.vms.count == 2 })
        #expect(previews[1].vms[0].labels["dd-env"] == "pr-42")
    }

    @Test(arguments: [[0], [1_000_000], Array(1...11)])
    func impossiblePreviewsAreRejected(numbers: [Int]) throws {
        var diagnostics = DiagnosticCollector(file: "f.yaml")
        let state = FleetExpander.expand(try Fixtures.exampleFleet, previews: numbers, diagnostics: &diagnostics)
        #expect(state == nil)
        #expect(diagnostics.diagnostics.map(\.rule) == [.previewRejected])
    }

    @Test func previewsAreRejectedWhenDisabled() throws {
        let text = try Fixtures.minimalFleetText.replacingOccurrences(of: "enabled: true", with: "enabled: false")
        var diagnostics = DiagnosticCollector(file: "f.yaml")
        let state = FleetExpander.expand(try #require(Fixtures.load(text).fleet), previews: [3], diagnostics: &diagnostics)
        #expect(state == nil)
        #expect(diagnostics.diagnostics.first?.message.contains("does not enable them") == true)
    }
}
