import Foundation
import Reconciler
import Spec
import TestSupport

/// The example fleet, expanded, and an observed state that matches it exactly.
enum PlannerFixture {
    static let marks = OwnershipMarks(fleet: "devopsdefender", prefix: "dd")
    static let now: Int64 = 1_790_000_000

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// `examples/fleet.yaml`, as text.
    static func exampleYAML() throws -> String {
        try String(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml"), encoding: .utf8)
    }

    /// The desired state of a fleet file's text (with edits applied).
    static func desired(_ yaml: String? = nil, replacing edits: [(String, String)] = [], previews: [Int] = []) throws -> DesiredState {
        var text = try yaml ?? self.exampleYAML()
        for (old, new) in edits {
            guard text.contains(old) else { throw LoadError(description: "the fixture has no '\(old)'") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        let result = FleetSpecLoader.load(Array(text.utf8), file: "fleet.yaml")
        guard let fleet = result.fleet else { throw LoadError(description: "invalid fixture: \(result.diagnostics)") }
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
            throw LoadError(description: "cannot expand: \(diagnostics.diagnostics)")
        }
        return desired
    }

    /// The tunnel id the fixture gives a tunnel name.
    static func tunnelID(_ name: String) -> String { "t-\(name)" }

    /// What GCE and Cloudflare would list once `desired` is applied.
    static func converged(_ desired: DesiredState) -> ObservedState {
        var observed = ObservedState(sources: SourceStatus.allComplete, observedAt: self.now)
        for environment in desired.environments {
            for vm in environment.vms {
                observed.vms.append(ObservedVM(name: vm.name, zone: vm.zone, labels: vm.labels, eeConfig: vm.eeConfig.metadataValue))
            }
            for tunnel in environment.tunnels {
                observed.tunnels.append(ObservedTunnel(id: self.tunnelID(tunnel.name), name: tunnel.name, connections: 1, ingress: tunnel.ingress))
            }
            for record in environment.dnsRecords {
                observed.dnsRecords.append(
                    ObservedDNSRecord(
                        id: "r-\(record.name)",
                        name: record.name,
                        content: "\(self.tunnelID(record.tunnel)).cfargotunnel.com",
                        comment: record.comment
                    )
                )
            }
        }
        return observed
    }

    /// Plans with the fixture's clock and marks.
    static func plan(_ desired: DesiredState, _ observed: ObservedState, _ configure: (inout PlannerOptions) -> Void = { _ in }) -> Plan {
        var options = PlannerOptions()
        options.now = self.now
        configure(&options)
        return Planner.plan(desired: desired, observed: observed, marks: self.marks, options: options)
    }

    /// Marks one source partial.
    static func partial(_ observed: ObservedState, _ source: SourceStatus.Name) -> ObservedState {
        var observed = observed
        if let index = observed.sources.firstIndex(where: { $0.name == source }) {
            observed.sources[index].state = .partial
            observed.sources[index].detail = "HTTP 500 on page 3"
        }
        return observed
    }
}

extension Plan {
    func ids(_ operation: PlanAction.Operation, _ resource: PlanAction.Resource? = nil) -> [String] {
        self.actions.filter { $0.operation == operation && (resource == nil || $0.resource == resource) }.map(\.id)
    }

    var touchedNames: Set<String> { Set(self.actions.map(\.name)) }

    /// Every dependency names an action of the plan, and the graph has no cycle.
    var isWellFormedDAG: Bool {
        let ids = Set(self.actions.map(\.id))
        guard self.actions.allSatisfy({ $0.dependsOn.allSatisfy(ids.contains) }) else { return false }
        var state: [String: Int] = [:]
        let byID = Dictionary(self.actions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func visit(_ id: String) -> Bool {
            if state[id] == 2 { return true }
            if state[id] == 1 { return false }
            state[id] = 1
            for dependency in byID[id]?.dependsOn ?? [] where !visit(dependency) { return false }
            state[id] = 2
            return true
        }
        return self.actions.allSatisfy { visit($0.id) }
    }
}
