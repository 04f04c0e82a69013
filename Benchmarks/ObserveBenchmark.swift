import CloudflareProvider
import Emulators
import Foundation
import GCEProvider
import ProviderSupport
import Spec

/// Observe 10,000 instances, 10,000 tunnels and 10,000 DNS records through our clients against
/// the emulators (bulk lists at the largest page size each API allows), against a per-resource
/// refresh (one GET per resource, as Terraform providers do) in the same run. Prints one JSON line.
struct ObserveBenchmark {
    var count = 10_000
    var refreshConcurrency = 16

    func run() async throws {
        let server = try EmulatorServer(
            cloudflare: .init(rateLimit: .init(requests: 1_000_000, per: .seconds(1))),
            gce: .init(requestsPerMinute: 10_000_000)
        )
        guard let gce = server.gce, let cloudflare = server.cloudflare else { throw BenchmarkError(message: "emulators missing") }
        let zone = gce.configuration.zones[0]
        let names = (0..<self.count).map { "dd-bench-pool-\($0)-0123abcd" }
        gce.seed(zone: zone, names: names, labels: [LabelKey.fleet.rawValue: "bench"])
        let tunnelIDs = cloudflare.seedTunnels(names: names)
        let recordIDs = zip(names, tunnelIDs).map { name, id in
            cloudflare.seedRecord(
                name: "\(name).example.com",
                type: "CNAME",
                content: "\(id).cfargotunnel.com",
                comment: OwnershipComment(fleet: "bench", environment: nil).rendered
            )
        }
        let configuration = cloudflare.configuration
        let line = try await LoopbackServer.withRunning(server.router()) { port in
            let base = "http://127.0.0.1:\(port)"
            let tokens = try ServiceAccountTokenProvider(
                key: ServiceAccountKey.decode(gce.serviceAccountKey(tokenURI: base + "/token").json),
                transport: HTTPTransport()
            )
            let unlimited = RateLimit(requests: 1_000_000, per: .seconds(1))
            let compute = GCEClient(
                project: gce.configuration.project,
                authorization: tokens,
                baseURL: base + "/compute/v1",
                clock: ContinuousClock(),
                limit: unlimited
            )
            let edge = CloudflareClient(
                accountID: configuration.accountID,
                zoneID: configuration.zoneID,
                token: configuration.tokens.first ?? "",
                baseURL: base + "/client/v4",
                clock: ContinuousClock(),
                limit: unlimited
            )
            _ = try await compute.listInstances(zone: zone, filter: LabelKey.fleet.gceFilter(equals: "nobody"))  // warm the token and connections
            server.journal.reset()
            let clock = ContinuousClock()
            let start = clock.now
            async let instances = compute.listInstances(zone: zone, filter: LabelKey.fleet.gceFilter(equals: "bench"))
            async let tunnels = edge.listTunnels()
            async let records = edge.listDNSRecords(commentContains: "fleet=bench")
            let observed = try await (instances.count, tunnels.count, records.count)
            let bulkTime = start.duration(to: clock.now)
            let bulkCalls = server.journal.all.count
            let bulkRSS = SpecBenchmark.peakResidentMegabytes()
            guard observed == (self.count, self.count, self.count) else {
                throw BenchmarkError(message: "observed \(observed), expected \(self.count) of each")
            }

            server.journal.reset()
            let refreshStart = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                func add() {
                    let index = next
                    next += 1
                    group.addTask {
                        switch index % 3 {
                        case 0: _ = try await compute.instance(zone: zone, name: names[index / 3])
                        case 1: _ = try await edge.tunnel(id: tunnelIDs[index / 3])
                        default: _ = try await edge.dnsRecord(id: recordIDs[index / 3])
                        }
                    }
                }
                for _ in 0..<self.refreshConcurrency { add() }
                while try await group.next() != nil {
                    if next < self.count * 3 { add() }
                }
            }
            let refreshTime = refreshStart.duration(to: clock.now)
            let refreshCalls = server.journal.all.count
            let minimum = (self.count + 499) / 500 + (self.count + 999) / 1000 + 1
            return StructuredValue.object([
                ("benchmark", .string("providers.observe")),
                ("instances", .integer(self.count)), ("tunnels", .integer(self.count)), ("dns_records", .integer(self.count)),
                ("ours_api_calls", .integer(bulkCalls)),
                ("page_minimum_calls", .integer(minimum)),
                ("ours_wall_ms", .string(SpecBenchmark.format(bulkTime.milliseconds))),
                ("ours_peak_rss_mb", .string(SpecBenchmark.format(bulkRSS))),
                ("peer", .string("per-resource refresh (one GET per resource, \(self.refreshConcurrency) in flight), same emulators")),
                ("peer_api_calls", .integer(refreshCalls)),
                ("peer_wall_ms", .string(SpecBenchmark.format(refreshTime.milliseconds))),
                ("ratio_calls", .string(SpecBenchmark.format(Double(refreshCalls) / Double(max(bulkCalls, 1)), digits: 0))),
                ("ratio_time", .string(SpecBenchmark.format(refreshTime.milliseconds / max(bulkTime.milliseconds, 0.001), digits: 1))),
                ("goal", .string("ours_api_calls == page_minimum_calls")),
            ])
        }
        print(line.json())
    }
}
