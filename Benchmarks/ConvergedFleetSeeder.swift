import CloudflareProvider
import Emulators
import Foundation
import Reconciler
import Spec

/// Puts a converged fleet straight into the emulators: every desired VM RUNNING with its labels
/// and `ee-config`, every tunnel, its ingress configuration and its CNAMEs. VMs, tunnels and
/// records go in through the emulators' seeding API; the configurations (which have none) through
/// the Cloudflare API, before the daemon starts. The daemon's first pass then proves it converged.
enum ConvergedFleetSeeder {
    /// What was seeded.
    struct Counts: Sendable {
        var vms: Int
        var tunnels: Int
        var records: Int
    }

    static func seed(_ desired: DesiredState, server: EmulatorServer, edge: CloudflareClient<ContinuousClock>) async throws -> Counts {
        guard let gce = server.gce, let cloudflare = server.cloudflare else { throw BenchmarkError(message: "emulators missing") }
        var counts = Counts(vms: 0, tunnels: 0, records: 0)
        for environment in desired.environments {
            for vm in environment.vms {
                gce.seed(zone: vm.zone, names: [vm.name], labels: vm.labels, metadata: ["ee-config": vm.eeConfig.metadataValue])
            }
            let ids = cloudflare.seedTunnels(names: environment.tunnels.map(\.name))
            let tunnelIDs = Dictionary(zip(environment.tunnels.map(\.name), ids), uniquingKeysWith: { first, _ in first })
            for record in environment.dnsRecords {
                guard let id = tunnelIDs[record.tunnel] else { continue }
                _ = cloudflare.seedRecord(name: record.name, type: "CNAME", content: "\(id).cfargotunnel.com", comment: record.comment)
            }
            let configurations = zip(ids, environment.tunnels.map(\.ingress)).map { ($0, $1) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func add() {
                    guard next < configurations.count else { return }
                    let (id, ingress) = configurations[next]
                    next += 1
                    group.addTask {
                        _ = try await edge.putConfiguration(
                            id: id,
                            ingress: ingress.map { CloudflareProvider.IngressRule(hostname: $0.hostname, service: $0.service) }
                        )
                    }
                }
                for _ in 0..<32 { add() }
                while try await group.next() != nil { add() }
            }
            counts.vms += environment.vms.count
            counts.tunnels += environment.tunnels.count
            counts.records += environment.dnsRecords.count
        }
        return counts
    }
}
