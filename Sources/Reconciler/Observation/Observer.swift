import Spec

/// Reads the observed state through the ports: one bulk list per source, run concurrently, then
/// the remote configurations of the tunnels the spec wants (bounded concurrency). A source that
/// fails is marked partial with its error; it is never reported as empty.
public struct Observer: Sendable {
    /// GCE.
    public var compute: any ComputePort
    /// Cloudflare tunnels.
    public var tunnels: any TunnelPort
    /// Cloudflare DNS.
    public var dns: any DNSPort
    /// The agent registry.
    public var agents: any AgentRegistryPort
    /// How many tunnel configurations are read at once.
    public var configurationConcurrency: Int
    /// Ingress remembered between runs; with it, at most ``configurationBudget`` configurations
    /// are read per observation (the least recently verified first) and the rest come from it.
    public var ingressCache: (any IngressCache)?
    /// The most tunnel configurations read per observation when a cache is given.
    public var configurationBudget: Int = .max

    /// Creates an observer.
    public init(
        compute: any ComputePort,
        tunnels: any TunnelPort,
        dns: any DNSPort,
        agents: any AgentRegistryPort = EmptyAgentRegistry(),
        configurationConcurrency: Int = 16
    ) {
        self.compute = compute
        self.tunnels = tunnels
        self.dns = dns
        self.agents = agents
        self.configurationConcurrency = configurationConcurrency
    }

    /// Observes the fleet `marks` describe; reads ingress for the tunnels named in `ingressFor`.
    public func observe(marks: OwnershipMarks, ingressFor: Set<String>, now: Int64) async -> ObservedState {
        await self.observeCounting(marks: marks, ingressFor: ingressFor, now: now).state
    }

    /// Observes, and says how many tunnel configurations were read, came from the cache, or were
    /// left unverified this run (over the budget, never cached: their ingress is unknown, so no
    /// ingress update is planned for them).
    public func observeCounting(
        marks: OwnershipMarks,
        ingressFor: Set<String>,
        now: Int64
    ) async -> (state: ObservedState, read: Int, cached: Int, unverified: Int) {
        async let vms = Self.capture { try await self.compute.listInstances(fleet: marks.fleet) }
        async let tunnels = Self.capture { try await self.tunnels.listTunnels(prefix: "\(marks.prefix)-") }
        async let records = Self.capture { try await self.dns.listRecords() }
        async let agents = Self.capture { try await self.agents.listAgents() }
        let (vmResult, tunnelResult, recordResult, agentResult) = await (vms, tunnels, records, agents)

        var observedTunnels = tunnelResult.items
        var configurationErrors: [String] = []
        var wanted = observedTunnels.indices.filter { ingressFor.contains(observedTunnels[$0].name) }
        var fromCache = 0
        var unverified = 0
        var read = 0
        if let cache = self.ingressCache, wanted.count > self.configurationBudget {
            let cached = cache.cachedIngress(for: wanted.map { observedTunnels[$0].id })
            // The least recently verified (never verified first) are read; the rest come from the cache.
            wanted.sort { (cached[observedTunnels[$0].id]?.verifiedAt ?? .min) < (cached[observedTunnels[$1].id]?.verifiedAt ?? .min) }
            for index in wanted.dropFirst(max(self.configurationBudget, 0)) {
                if let entry = cached[observedTunnels[index].id] {
                    observedTunnels[index].ingress = entry.rules
                    fromCache += 1
                } else {
                    unverified += 1
                }
            }
            wanted = Array(wanted.prefix(max(self.configurationBudget, 0)))
        }
        await withTaskGroup(of: (Int, Result<[IngressRule], any Error>).self) { group in
            var next = 0
            func enqueue() {
                guard next < wanted.count else { return }
                let index = wanted[next]
                let id = observedTunnels[index].id
                next += 1
                group.addTask {
                    do { return (index, .success(try await self.tunnels.ingress(tunnelID: id))) } catch { return (index, .failure(error)) }
                }
            }
            for _ in 0..<max(self.configurationConcurrency, 1) { enqueue() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let rules):
                    observedTunnels[index].ingress = rules
                    read += 1
                    self.ingressCache?.storeIngress(rules, tunnelID: observedTunnels[index].id, at: now)
                case .failure(let error): configurationErrors.append("\(observedTunnels[index].name): \(error)")
                }
                enqueue()
            }
        }
        let configurationStatus = SourceStatus(
            name: .cloudflareTunnelConfigurations,
            complete: tunnelResult.error == nil && configurationErrors.isEmpty,
            detail: configurationErrors.isEmpty
                ? tunnelResult.error.map { "not read: the tunnel list failed (\($0))" }
                    ?? (fromCache + unverified > 0
                        ? "\(read) read, \(fromCache) from the cache, \(unverified) not verified this run (budget \(self.configurationBudget))" : nil)
                : "\(configurationErrors.count) configuration(s) unreadable, first: \(configurationErrors.sorted()[0])",
            count: read + fromCache
        )
        let state = ObservedState(
            vms: vmResult.items,
            tunnels: observedTunnels,
            dnsRecords: recordResult.items,
            agents: agentResult.items,
            sources: [
                vmResult.status(.gceInstances),
                tunnelResult.status(.cloudflareTunnels),
                configurationStatus,
                recordResult.status(.cloudflareDNS),
                agentResult.status(.agents),
            ],
            observedAt: now
        )
        return (state, read, fromCache, unverified)
    }

    struct Captured<Item: Sendable>: Sendable {
        var items: [Item]
        var error: String?

        func status(_ name: SourceStatus.Name) -> SourceStatus {
            SourceStatus(name: name, complete: self.error == nil, detail: self.error, count: self.items.count)
        }
    }

    static func capture<Item: Sendable>(_ list: @Sendable () async throws -> [Item]) async -> Captured<Item> {
        do {
            return Captured(items: try await list(), error: nil)
        } catch {
            return Captured(items: [], error: "\(error)")
        }
    }
}
