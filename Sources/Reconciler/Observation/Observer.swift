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

        var configurations = ConfigurationRead(tunnels: tunnelResult.items)
        let candidates = configurations.tunnels.indices.filter { ingressFor.contains(configurations.tunnels[$0].name) }
        let cached: [String: CachedIngress]? =
            if let cache = self.ingressCache, candidates.count > self.configurationBudget {
                await cache.cachedIngress(for: candidates.map { configurations.tunnels[$0].id })
            } else {
                nil
            }
        let wanted = configurations.useCache(cached, for: candidates, budget: self.configurationBudget)
        await self.read(wanted, into: &configurations, now: now)
        let state = ObservedState(
            vms: vmResult.items,
            tunnels: configurations.tunnels,
            dnsRecords: recordResult.items,
            agents: agentResult.items,
            sources: [
                vmResult.status(.gceInstances),
                tunnelResult.status(.cloudflareTunnels),
                configurations.status(listing: tunnelResult, budget: self.configurationBudget),
                recordResult.status(.cloudflareDNS),
                agentResult.status(.agents),
            ],
            observedAt: now
        )
        return (state, configurations.read, configurations.fromCache, configurations.unverified)
    }

    /// Reads the configurations of the tunnels at `wanted`, at most ``configurationConcurrency``
    /// at once, and remembers what it read in the cache.
    private func read(_ wanted: [Int], into configurations: inout ConfigurationRead, now: Int64) async {
        let requests = wanted.map { ConfigurationRequest(index: $0, tunnelID: configurations.tunnels[$0].id) }
        let outcomes = await Self.fetch(requests, from: self.tunnels, concurrency: max(self.configurationConcurrency, 1))
        for outcome in outcomes {
            if let rules = outcome.rules {
                configurations.record(rules, at: outcome.index)
                await self.ingressCache?.storeIngress(rules, tunnelID: outcome.tunnelID, at: now)
            } else {
                configurations.errors.append("\(configurations.tunnels[outcome.index].name): \(outcome.failure ?? "unreadable")")
            }
        }
    }

    /// Fetches each request's configuration, `concurrency` at a time. The outcomes are plain
    /// structs collected first and applied after the group: results are never written into the
    /// caller's state from inside it.
    static func fetch(_ requests: [ConfigurationRequest], from tunnels: any TunnelPort, concurrency: Int) async -> [ConfigurationOutcome] {
        await withTaskGroup(of: ConfigurationOutcome.self, returning: [ConfigurationOutcome].self) { group in
            var pending = requests[...]
            var outcomes: [ConfigurationOutcome] = []
            outcomes.reserveCapacity(requests.count)
            for _ in 0..<concurrency {
                guard let request = pending.popFirst() else { break }
                group.addTask { await request.fetch(from: tunnels) }
            }
            for await outcome in group {
                outcomes.append(outcome)
                if let request = pending.popFirst() { group.addTask { await request.fetch(from: tunnels) } }
            }
            return outcomes
        }
    }

    struct Captured<Item: Sendable>: Sendable {
        var items: [Item]
        var error: String?
        var unreadable: SourceUnreadable?

        func status(_ name: SourceStatus.Name) -> SourceStatus {
            if let unreadable = self.unreadable {
                return SourceStatus(name: name, state: .unreadable, detail: unreadable.cause, fix: unreadable.fix)
            }
            return SourceStatus(name: name, complete: self.error == nil, detail: self.error, count: self.items.count)
        }
    }

    static func capture<Item: Sendable>(_ list: @Sendable () async throws -> [Item]) async -> Captured<Item> {
        do {
            return Captured(items: try await list(), error: nil)
        } catch let unreadable as SourceUnreadable {
            return Captured(items: [], error: unreadable.cause, unreadable: unreadable)
        } catch {
            return Captured(items: [], error: "\(error)")
        }
    }
}

/// One tunnel configuration to read: where its tunnel sits in the observation, and its id.
struct ConfigurationRequest: Sendable {
    var index: Int
    var tunnelID: String

    /// Reads it; a failure is kept as its description.
    func fetch(from tunnels: any TunnelPort) async -> ConfigurationOutcome {
        do {
            return ConfigurationOutcome(
                index: self.index,
                tunnelID: self.tunnelID,
                rules: try await tunnels.ingress(tunnelID: self.tunnelID),
                failure: nil
            )
        } catch {
            return ConfigurationOutcome(index: self.index, tunnelID: self.tunnelID, rules: nil, failure: "\(error)")
        }
    }
}

/// A configuration read: its rules, or why it could not be read.
struct ConfigurationOutcome: Sendable {
    var index: Int
    var tunnelID: String
    var rules: [IngressRule]?
    var failure: String?
}

/// The tunnels' configurations as one observation reads them: from the API, from the cache, or
/// not at all this run.
struct ConfigurationRead {
    var tunnels: [ObservedTunnel]
    var errors: [String] = []
    var read = 0
    var fromCache = 0
    var unverified = 0

    init(tunnels: [ObservedTunnel]) { self.tunnels = tunnels }

    /// Over the budget, the least recently verified configurations (never verified first) are
    /// read and the rest come from `cached` (the cache's entries, nil without a cache); returns
    /// the indices to read.
    mutating func useCache(_ cached: [String: CachedIngress]?, for wanted: [Int], budget: Int) -> [Int] {
        guard let cached, wanted.count > budget else { return wanted }
        let tunnels = self.tunnels
        let ordered = wanted.sorted { (cached[tunnels[$0].id]?.verifiedAt ?? .min) < (cached[tunnels[$1].id]?.verifiedAt ?? .min) }
        for index in ordered.dropFirst(max(budget, 0)) {
            if let entry = cached[tunnels[index].id] {
                self.tunnels[index].ingress = entry.rules
                self.fromCache += 1
            } else {
                self.unverified += 1
            }
        }
        return Array(ordered.prefix(max(budget, 0)))
    }

    /// Records a configuration read from the API.
    mutating func record(_ rules: [IngressRule], at index: Int) {
        self.tunnels[index].ingress = rules
        self.read += 1
    }

    /// The status of the configurations source, given how the tunnel list went.
    func status<Item>(listing: Observer.Captured<Item>, budget: Int) -> SourceStatus {
        if let unreadable = listing.unreadable {
            return SourceStatus(
                name: .cloudflareTunnelConfigurations,
                state: .unreadable,
                detail: unreadable.cause,
                fix: unreadable.fix
            )
        }
        let detail: String?
        if let error = listing.error {
            detail = "not read: the tunnel list failed (\(error))"
        } else if !self.errors.isEmpty {
            detail = "\(self.errors.count) configuration(s) unreadable, first: \(self.errors.sorted()[0])"
        } else if self.fromCache + self.unverified > 0 {
            detail = "\(self.read) read, \(self.fromCache) from the cache, \(self.unverified) not verified this run (budget \(budget))"
        } else {
            detail = nil
        }
        return SourceStatus(
            name: .cloudflareTunnelConfigurations,
            complete: listing.error == nil && self.errors.isEmpty,
            detail: detail,
            count: self.read + self.fromCache
        )
    }
}
