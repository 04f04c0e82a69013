import Spec
import Synchronization

/// How the executor runs a plan.
public struct ExecutorConfiguration: Sendable, Hashable {
    /// Actions in flight at once (the providers' rate limiters pace the calls underneath).
    public var maxConcurrency: Int = 8
    /// Attempts for a VM create that meets a stockout.
    public var stockoutAttempts: Int = 3
    /// The pause before retrying after a stockout.
    public var stockoutBackoff: Duration = .seconds(10)

    /// The defaults.
    public init() {}
}

/// Runs a plan's DAG: each action starts when everything it depends on finished, at most
/// ``ExecutorConfiguration/maxConcurrency`` at once. Before every mutation an intent goes to the
/// journal; its idempotency key travels with the call, so a run resumed after a crash repeats
/// the call harmlessly instead of making a twin. A failed action skips its dependents; the rest
/// of the plan goes on.
public struct Executor<C: Clock>: Sendable where C.Duration == Duration {
    /// GCE.
    public var compute: any ComputePort
    /// Cloudflare tunnels.
    public var tunnels: any TunnelPort
    /// Cloudflare DNS.
    public var dns: any DNSPort
    /// The intent journal.
    public var journal: any IntentJournal
    /// The clock for pauses.
    public var clock: C
    /// Wall time for journal records, in seconds since 1970.
    public var now: @Sendable () -> Int64
    /// The knobs.
    public var configuration: ExecutorConfiguration
    /// Where written ingress is remembered (so the next plan need not read it back).
    public var ingressCache: (any IngressCache)?
    /// Called at each point where a crash matters (`intent-written`, `call-returned`), with the
    /// action id: the crash tests stop the process here.
    public var checkpoint: @Sendable (String, String) -> Void

    /// Creates an executor.
    public init(
        compute: any ComputePort,
        tunnels: any TunnelPort,
        dns: any DNSPort,
        journal: any IntentJournal,
        clock: C,
        now: @escaping @Sendable () -> Int64,
        configuration: ExecutorConfiguration = ExecutorConfiguration(),
        checkpoint: @escaping @Sendable (String, String) -> Void = { _, _ in }
    ) {
        self.compute = compute
        self.tunnels = tunnels
        self.dns = dns
        self.journal = journal
        self.clock = clock
        self.now = now
        self.configuration = configuration
        self.checkpoint = checkpoint
    }

    /// Applies `plan`, which was made from `observed`.
    public func apply(_ plan: Plan, observed: ObservedState, progress: @escaping @Sendable (ApplyEvent) -> Void = { _ in }) async -> ApplyReport {
        let directory = TunnelDirectory(observed.tunnels)
        var schedule = ActionSchedule(plan)
        var report = ApplyReport()
        await withTaskGroup(of: (String, Result<ApplyOutcome, any Error>, Duration).self) { group in
            var running = 0
            func launch() {
                while running < max(self.configuration.maxConcurrency, 1), let action = schedule.nextReady() {
                    running += 1
                    progress(.started(action))
                    group.addTask { await self.timedPerform(action, directory: directory, progress: progress) }
                }
            }
            launch()
            while let (id, result, elapsed) = await group.next() {
                running -= 1
                guard let action = schedule.action(id) else { continue }
                switch result {
                case .success(let outcome):
                    report.finished[id] = outcome
                    progress(.finished(action, outcome, elapsed: elapsed))
                    schedule.finished(id)
                case .failure(let error):
                    report.failed[id] = "\(error)"
                    progress(.failed(action, message: "\(error)"))
                    for dependent in schedule.skipDependents(of: id) {
                        report.skipped.append(dependent.id)
                        progress(.skipped(dependent, because: id))
                    }
                }
                launch()
            }
        }
        report.skipped.sort()
        return report
    }

    /// Performs `action` (see ``perform(_:directory:progress:)``) and times it on ``clock``;
    /// returns the action's id with the outcome or error.
    private func timedPerform(
        _ action: PlanAction,
        directory: TunnelDirectory,
        progress: @Sendable (ApplyEvent) -> Void
    ) async -> (String, Result<ApplyOutcome, any Error>, Duration) {
        let start = self.clock.now
        do {
            let outcome = try await self.perform(action, directory: directory, progress: progress)
            return (action.id, .success(outcome), start.duration(to: self.clock.now))
        } catch {
            return (action.id, .failure(error), start.duration(to: self.clock.now))
        }
    }

    // MARK: One action

    func perform(_ action: PlanAction, directory: TunnelDirectory, progress: @Sendable (ApplyEvent) -> Void) async throws -> ApplyOutcome {
        var attempt = 1
        while true {
            let intent = try await self.journal.begin(action.actionID, now: self.now())
            self.checkpoint("intent-written", action.id)
            do {
                let outcome = try await self.call(action, key: intent.idempotencyKey, directory: directory)
                self.checkpoint("call-returned", action.id)
                try await self.journal.finish(action.actionID, state: .done, now: self.now())
                return outcome
            } catch let stockout as StockoutError where attempt < self.configuration.stockoutAttempts {
                try await self.journal.finish(action.actionID, state: .failed, now: self.now())
                progress(.retrying(action, message: stockout.message, after: self.configuration.stockoutBackoff))
                try await self.clock.sleep(for: self.configuration.stockoutBackoff)
                attempt += 1
            } catch {
                try? await self.journal.finish(action.actionID, state: .failed, now: self.now())
                throw error
            }
        }
    }

    func call(_ action: PlanAction, key: String, directory: TunnelDirectory) async throws -> ApplyOutcome {
        switch action.payload {
        case .createVM(let vm):
            return try await self.compute.createInstance(vm, requestID: key)
        case .setLabels(let zone, let vm, let labels):
            try await self.compute.setLabels(zone: zone, name: vm, labels: labels)
        case .setEEConfig(let zone, let vm, let value):
            try await self.compute.setMetadata(zone: zone, name: vm, key: "ee-config", value: value)
        case .startVM(let zone, let vm):
            try await self.compute.start(zone: zone, name: vm, requestID: key)
        case .deleteVM(let zone, let vm):
            return try await self.compute.deleteInstance(zone: zone, name: vm, requestID: key)
        case .createTunnel(let name):
            let (id, outcome) = try await self.tunnels.createTunnel(name: name)
            directory.record(name: name, id: id)
            return outcome
        case .putIngress(let tunnel, let rules):
            let id = try directory.id(of: tunnel)
            try await self.tunnels.putIngress(tunnelID: id, rules: rules)
            await self.ingressCache?.storeIngress(rules, tunnelID: id, at: self.now())
        case .deleteTunnel(let id, _):
            return try await self.tunnels.deleteTunnel(id: id)
        case .createDNS(let name, let tunnel, let comment):
            return try await self.dns.createCNAME(name: name, tunnelID: try directory.id(of: tunnel), comment: comment)
        case .updateDNS(let id, let name, let tunnel, let comment):
            try await self.dns.updateCNAME(id: id, name: name, tunnelID: try directory.id(of: tunnel), comment: comment)
        case .deleteDNS(let id, _):
            return try await self.dns.deleteRecord(id: id)
        }
        return .done
    }
}

/// Tunnel name → id: seeded from the observation, filled as tunnels are created.
final class TunnelDirectory: Sendable {
    struct Missing: Error, CustomStringConvertible {
        var tunnel: String
        var description: String { "tunnel \(self.tunnel) does not exist (its creation did not run or failed)" }
    }

    private let ids: Mutex<[String: String]>

    init(_ tunnels: [ObservedTunnel]) {
        self.ids = Mutex(Dictionary(tunnels.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first }))
    }

    func record(name: String, id: String) { self.ids.withLock { $0[name] = id } }

    func id(of name: String) throws -> String {
        guard let id = self.ids.withLock({ $0[name] }) else { throw Missing(tunnel: name) }
        return id
    }
}
