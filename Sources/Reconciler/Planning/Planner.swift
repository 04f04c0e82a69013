import Crypto
import Spec

/// The pure heart of the reconciler: desired state + observed state → ``Plan``.
///
/// Rules, in order of precedence:
/// 1. Only objects carrying the fleet's ownership marks (``OwnershipMarks``) are updated or
///    deleted. A foreign DNS record on a wanted name is a refusal, never an overwrite.
/// 2. Creation runs VM → tunnel → ingress → DNS; removal runs the other way (DNS → tunnel → VM),
///    so a hostname never points at a tunnel that is gone.
/// 3. A pool whose generation changed rolls out create-before-destroy: an old VM (and its tunnel
///    and records) goes only after its replacement's chain is in place, and at most
///    ``PlannerOptions/maxSurge`` replacements run ahead of the deletions.
/// 4. With any source partial, or an observation older than the allowed age, the plan deletes
///    nothing (and pauses what waits on those deletions).
/// 5. Refusals: an empty desired set, a protected environment's control plane deleted without a
///    successor, more deletions than the circuit breaker allows, a foreign record in the way.
public enum Planner {
    /// Plans the changes that take `observed` to `desired`.
    public static func plan(desired: DesiredState, observed: ObservedState, marks: OwnershipMarks, options: PlannerOptions) -> Plan {
        var builder = PlanBuilder(desired: desired, observed: observed, marks: marks, options: options)
        return builder.build()
    }

    /// A short digest of an `ee-config` value, shown instead of the value itself.
    public static func digest(_ value: String) -> String {
        SHA256.hash(data: Array(value.utf8)).prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}

/// The planner's working state for one run.
private struct PlanBuilder {
    let desired: DesiredState
    let observed: ObservedState
    let marks: OwnershipMarks
    let options: PlannerOptions

    var actions: [String: PlanAction] = [:]
    /// For each VM, the actions of its creation chain (VM, tunnel, ingress, DNS).
    var chainOfVM: [String: [String]] = [:]
    /// Desired tunnel name → the VM running it.
    var vmOfTunnel: [String: String] = [:]
    /// `<id>.cfargotunnel.com` → owned tunnel name.
    var tunnelOfTarget: [String: String] = [:]
    var desiredVMNames: Set<String> = []
    var refusals: [Plan.Refusal] = []
    /// Deletions of duplicate records on managed names (counted by the circuit breaker).
    var duplicateDeletes: [String] = []
    var warnings: [String] = []

    // Indexes of what is owned.
    var ownedVMs: [String: [ObservedVM]] = [:]
    var ownedTunnels: [String: ObservedTunnel] = [:]
    var tunnelEnvironment: [String: String] = [:]
    var recordsByName: [String: [ObservedDNSRecord]] = [:]
    var recordEnvironment: [String: String] = [:]
    var desiredEnvironments: Set<String> = []
    var environmentOrder: [String] = []

    init(desired: DesiredState, observed: ObservedState, marks: OwnershipMarks, options: PlannerOptions) {
        self.desired = desired
        self.observed = observed
        self.marks = marks
        self.options = options
    }

    mutating func build() -> Plan {
        self.index()
        for environment in self.desired.environments { self.converge(environment) }
        let deletions = self.planDeletions() + self.duplicateDeletes
        self.refuse(deletions: deletions)
        let withheld = self.withholdIfUnsafe()
        self.checkAgents()
        let ordered = self.ordered()
        return Plan(
            fleet: self.desired.fleet,
            environments: self.environmentOrder,
            actions: ordered,
            refusals: self.refusals,
            warnings: self.warnings,
            withheldDeletions: withheld,
            sources: self.observed.sources,
            ownedCount: self.ownedInScope
        )
    }

    // MARK: Ownership and scope

    var ownedInScope = 0

    mutating func index() {
        self.desiredEnvironments = Set(self.desired.environments.map(\.name))
        self.environmentOrder = self.desired.environments.map(\.name)
        for environment in self.desired.environments {
            for tunnel in environment.tunnels { self.vmOfTunnel[tunnel.name] = tunnel.vm }
            for vm in environment.vms { self.desiredVMNames.insert(vm.name) }
        }
        var vmEnvironment: [String: String] = [:]
        for vm in self.observed.vms where self.marks.owns(vm) {
            self.ownedVMs[vm.name, default: []].append(vm)
            if let environment = vm.labels["dd-env"] { vmEnvironment[vm.name] = environment }
        }
        var outOfScope = 0
        var ownedTargets: [String: String] = [:]  // CNAME target of an owned record → its environment
        for record in self.observed.dnsRecords {
            let name = Normalization.dnsName(record.name)
            self.recordsByName[name, default: []].append(record)
            if let environment = self.marks.environment(of: record) {
                self.recordEnvironment[record.id] = environment
                ownedTargets[Normalization.dnsName(record.content)] = environment
            }
        }
        var desiredTunnelEnvironment: [String: String] = [:]
        for environment in self.desired.environments {
            for tunnel in environment.tunnels { desiredTunnelEnvironment[tunnel.name] = environment.name }
        }
        // Tunnels carry no labels: one is the fleet's only with proof — the spec wants it, an
        // owned VM has its name, or an owned DNS record points at it. A tunnel that merely looks
        // like ours (another fleet with the same prefix) is left alone.
        let known = self.desiredEnvironments.union(vmEnvironment.values)
        var lookalikes: [String] = []
        for tunnel in self.observed.tunnels {
            let target = Normalization.tunnelTarget(tunnel.id)
            guard let environment = desiredTunnelEnvironment[tunnel.name] ?? vmEnvironment[tunnel.name] ?? ownedTargets[target] else {
                if self.marks.environment(ofTunnel: tunnel.name, environments: known) != nil { lookalikes.append(tunnel.name) }
                continue
            }
            self.ownedTunnels[tunnel.name] = tunnel
            self.tunnelEnvironment[tunnel.name] = environment
            self.tunnelOfTarget[target] = tunnel.name
        }
        if !lookalikes.isEmpty {
            self.warnings.append(
                "left alone: \(lookalikes.count) tunnel(s) named like this fleet's but with no VM, DNS record or spec entry of it "
                    + "(another fleet with the same prefix?), first: \(lookalikes.sorted()[0]); delete them by hand if they are leftovers"
            )
        }
        let ownedEnvironments =
            self.ownedVMs.values.flatMap { $0.compactMap { $0.labels["dd-env"] } } + self.tunnelEnvironment.values.map { $0 }
            + self.recordEnvironment.values.map { $0 }
        var observedOnly: Set<String> = []
        for environment in ownedEnvironments {
            if self.inScope(environment) {
                self.ownedInScope += 1
                if !self.desiredEnvironments.contains(environment) { observedOnly.insert(environment) }
            } else {
                outOfScope += 1
            }
        }
        self.environmentOrder += observedOnly.sorted()
        let unlabelled = self.ownedVMs.values.flatMap { $0 }.filter { $0.labels["dd-env"] == nil }.map(\.name).sorted()
        if !unlabelled.isEmpty {
            self.warnings.append(
                "left alone: \(unlabelled.joined(separator: ", ")) carry dd-fleet=\(self.marks.fleet) but no dd-env label, "
                    + "so their environment is unknown; label or delete them by hand"
            )
        }
        if outOfScope > 0 {
            self.warnings.append(
                "\(outOfScope) owned object(s) of pull-request previews not named with --preview were left alone; "
                    + "pass --preview N for every open pull request (or --no-previews) to manage previews"
            )
        }
    }

    func inScope(_ environment: String) -> Bool {
        if self.desiredEnvironments.contains(environment) { return true }
        if OwnershipMarks.isPreview(environment) { return self.options.previewScope == .exact }
        return true
    }

    // MARK: Desired → create / update

    mutating func add(_ action: PlanAction, vm: String) {
        self.actions[action.id] = action
        self.chainOfVM[vm, default: []].append(action.id)
    }

    mutating func converge(_ environment: DesiredEnvironment) {
        for vm in environment.vms { self.converge(vm, environment: environment.name) }
        for tunnel in environment.tunnels { self.converge(tunnel, environment: environment.name) }
        for record in environment.dnsRecords { self.converge(record, environment: environment.name) }
    }

    mutating func converge(_ vm: DesiredVM, environment: String) {
        let candidates = self.ownedVMs[vm.name] ?? []
        guard let current = candidates.first(where: { $0.zone == vm.zone }) ?? candidates.first else {
            self.add(
                PlanAction(
                    .create,
                    .vm,
                    vm.name,
                    environment: environment,
                    reason: "not found in GCE",
                    changes: [
                        .init(field: "zone", before: nil, after: vm.zone),
                        .init(field: "machineType", before: nil, after: vm.machineType),
                        .init(field: "image", before: nil, after: "\(vm.image.project)/\(vm.image.family)"),
                        .init(field: "ee-config", before: nil, after: "sha256:\(Planner.digest(vm.eeConfig.metadataValue))"),
                    ],
                    payload: .createVM(vm)
                ),
                vm: vm.name
            )
            return
        }
        // Managed labels: the spec's keys and every `dd-` key (except the writer's). Others —
        // billing tools, `goog-` labels — are kept as they are, never diffed.
        let wantedLabels = Normalization.labels(vm.labels)
        let haveLabels = Normalization.labels(current.labels)
        let managed = Set(wantedLabels.keys).union(haveLabels.keys.filter { $0.hasPrefix("dd-") })
        let drifted = managed.filter { wantedLabels[$0] != haveLabels[$0] }.sorted()
        if !drifted.isEmpty {
            let changes = drifted.map { key in PlanAction.Change(field: "labels.\(key)", before: haveLabels[key], after: wantedLabels[key]) }
            var labels = current.labels.filter { !managed.contains($0.key) }
            for (key, value) in wantedLabels { labels[key] = value }
            self.add(
                PlanAction(
                    .update,
                    .vm,
                    vm.name,
                    environment: environment,
                    reason: "labels differ",
                    changes: changes,
                    payload: .setLabels(zone: current.zone, vm: vm.name, labels: labels)
                ),
                vm: vm.name
            )
        }
        let wanted = vm.eeConfig.metadataValue
        if current.eeConfig != wanted {
            var action = PlanAction(
                .update,
                .vm,
                vm.name,
                environment: environment,
                reason: current.eeConfig == nil ? "ee-config metadata missing" : "ee-config metadata differs",
                changes: [
                    .init(
                        field: "ee-config",
                        before: current.eeConfig.map { "sha256:\(Planner.digest($0))" },
                        after: "sha256:\(Planner.digest(wanted))"
                    )
                ],
                payload: .setEEConfig(zone: current.zone, vm: vm.name, value: wanted)
            )
            action.id += " (ee-config)"
            self.add(action, vm: vm.name)
        }
        if current.isSuspended {
            self.warnings.append("\(vm.name) is SUSPENDED; resume it (gcloud compute instances resume) or delete it to have it recreated")
        }
        if current.isStopped {
            var action = PlanAction(
                .update,
                .vm,
                vm.name,
                environment: environment,
                reason: "stopped (\(current.status))",
                changes: [.init(field: "status", before: current.status, after: "RUNNING")],
                payload: .startVM(zone: current.zone, vm: vm.name)
            )
            action.id += " (start)"
            self.add(action, vm: vm.name)
        }
    }

    mutating func converge(_ tunnel: DesiredTunnel, environment: String) {
        let wanted = Normalization.ingress(tunnel.ingress)
        let vmCreate = PlanAction.id(.create, .vm, tunnel.vm)
        if let current = self.ownedTunnels[tunnel.name] {
            guard let ingress = current.ingress else { return }  // configuration unread: the source is partial
            let have = Normalization.ingress(ingress)
            if have != wanted {
                self.add(
                    PlanAction(
                        .update,
                        .ingress,
                        tunnel.name,
                        environment: environment,
                        reason: have.isEmpty ? "tunnel has no ingress configuration" : "ingress rules differ",
                        changes: Self.ingressChanges(have, wanted),
                        payload: .putIngress(tunnel: tunnel.name, rules: tunnel.ingress)
                    ),
                    vm: tunnel.vm
                )
            }
            return
        }
        let create = PlanAction(
            .create,
            .tunnel,
            tunnel.name,
            environment: environment,
            reason: "not found in Cloudflare",
            dependsOn: self.actions[vmCreate] == nil ? [] : [vmCreate],
            payload: .createTunnel(name: tunnel.name)
        )
        self.add(create, vm: tunnel.vm)
        self.add(
            PlanAction(
                .create,
                .ingress,
                tunnel.name,
                environment: environment,
                reason: "new tunnel",
                changes: Self.ingressChanges([], wanted),
                dependsOn: [create.id],
                payload: .putIngress(tunnel: tunnel.name, rules: tunnel.ingress)
            ),
            vm: tunnel.vm
        )
    }

    static func ingressChanges(_ have: [IngressRule], _ wanted: [IngressRule]) -> [PlanAction.Change] {
        let describe = { (rule: IngressRule) in "\(rule.hostname ?? "*") → \(rule.service)" }
        let before = Set(have.map(describe))
        let after = Set(wanted.map(describe))
        return before.subtracting(after).sorted().map { .init(field: "ingress", before: $0, after: nil) }
            + after.subtracting(before).sorted().map { .init(field: "ingress", before: nil, after: $0) }
    }

    mutating func converge(_ record: DesiredDNSRecord, environment: String) {
        let name = Normalization.dnsName(record.name)
        let existing = self.recordsByName[name] ?? []
        let owned = existing.filter { self.recordEnvironment[$0.id] != nil }
        let tunnel = self.ownedTunnels[record.tunnel]
        let target = tunnel.map { Normalization.tunnelTarget($0.id) }
        let dependencies = [PlanAction.id(.create, .tunnel, record.tunnel), PlanAction.id(.create, .ingress, record.tunnel)]
            .filter { self.actions[$0] != nil }
        let vm = self.desiredVM(ofTunnel: record.tunnel)
        if owned.isEmpty {
            if let foreign = existing.first {
                self.refusals.append(
                    .init(
                        code: "foreign-dns-record",
                        message:
                            "\(record.name) is taken by a \(foreign.type) record (id \(foreign.id)) without this fleet's ownership comment; "
                            + "delete it, or adopt it by setting its comment to '\(record.comment)'"
                    )
                )
                return
            }
            self.add(
                PlanAction(
                    .create,
                    .dns,
                    name,
                    environment: environment,
                    reason: "not found in Cloudflare",
                    changes: [.init(field: "CNAME", before: nil, after: target ?? "(tunnel \(record.tunnel), known after apply)")],
                    dependsOn: dependencies,
                    payload: .createDNS(name: name, tunnel: record.tunnel, comment: record.comment)
                ),
                vm: vm
            )
            return
        }
        let keep = owned.first { Normalization.dnsName($0.content) == target && $0.type == "CNAME" } ?? owned[0]
        for duplicate in owned where duplicate.id != keep.id {
            var action = PlanAction(
                .delete,
                .dns,
                name,
                environment: environment,
                reason: "duplicate record on a managed name",
                changes: [.init(field: duplicate.type, before: duplicate.content, after: nil)],
                payload: .deleteDNS(id: duplicate.id, name: name)
            )
            action.id += " (\(duplicate.id))"
            guard self.inScope(self.recordEnvironment[duplicate.id] ?? environment), !self.options.inFlight.contains(name) else { continue }
            self.actions[action.id] = action
            self.duplicateDeletes.append(action.id)
        }
        var changes: [PlanAction.Change] = []
        let content = Normalization.dnsName(keep.content)
        if keep.type != "CNAME" { changes.append(.init(field: "type", before: keep.type, after: "CNAME")) }
        if content != target {
            changes.append(.init(field: "content", before: keep.content, after: target ?? "(tunnel \(record.tunnel), known after apply)"))
        }
        if !keep.proxied { changes.append(.init(field: "proxied", before: "false", after: "true")) }
        if keep.comment != record.comment { changes.append(.init(field: "comment", before: keep.comment, after: record.comment)) }
        guard !changes.isEmpty else { return }
        self.add(
            PlanAction(
                .update,
                .dns,
                name,
                environment: environment,
                reason: content != target ? "points elsewhere" : "record settings differ",
                changes: changes,
                dependsOn: dependencies,
                payload: .updateDNS(id: keep.id, name: name, tunnel: record.tunnel, comment: record.comment)
            ),
            vm: vm
        )
    }

    func desiredVM(ofTunnel tunnel: String) -> String { self.vmOfTunnel[tunnel] ?? tunnel }

    // MARK: Owned but not desired → delete

    struct Deletion {
        var vm: String
        var environment: String
        var pool: String?
        var role: String?
    }

    /// Plans the deletions; returns the ids of those that are not replacements.
    mutating func planDeletions() -> [String] {
        let desiredVMs = Dictionary(self.desired.allVMs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let desiredTunnels = Set(self.desired.environments.flatMap { $0.tunnels.map(\.name) })
        let desiredRecords = Set(self.desired.environments.flatMap { $0.dnsRecords.map { Normalization.dnsName($0.name) } })
        let selfTunnel = self.options.selfVM.flatMap { self.ownedTunnels[$0] }
        var protected: [String] = []

        // VMs, grouped by environment and pool for rollouts.
        var oldByPool: [String: [ObservedVM]] = [:]
        var vmDeletes: [ObservedVM] = []
        for (name, vms) in self.ownedVMs {
            for vm in vms {
                guard let environment = vm.labels["dd-env"], self.inScope(environment) else { continue }
                // The copy the plan keeps: the one in the wanted zone, else the first listed.
                if let wanted = desiredVMs[name], vm == (vms.first { $0.zone == wanted.zone } ?? vms[0]) { continue }
                if name == self.options.selfVM || self.options.inFlight.contains(name) {
                    protected.append(name)
                    continue
                }
                vmDeletes.append(vm)
                // A stray copy of a wanted VM is a duplicate, not a predecessor.
                if desiredVMs[name] == nil { oldByPool["\(environment)/\(vm.labels["dd-pool"] ?? "?")", default: []].append(vm) }
            }
        }
        // Replacement pairs: new VM chains each old VM waits for.
        var waitsFor: [String: [String]] = [:]
        var replaced: Set<String> = []
        var gate: [String: String] = [:]  // create-vm id → delete-vm id it waits for (surge)
        for environment in self.desired.environments {
            let pools = Dictionary(grouping: environment.vms, by: \.pool)
            for (pool, vms) in pools {
                // Predecessors: owned VMs of this pool from another generation (`dd-spec`). As
                // many as the pool has slots are replacements — whether or not their successors
                // are created in this run (a rollout interrupted after its creates) — the rest,
                // and same-generation extras (a lowered count), are plain deletions.
                let spec = vms.first?.labels["dd-spec"]
                let old = (oldByPool["\(environment.name)/\(pool)"] ?? []).filter { $0.labels["dd-spec"] != spec }.sorted { $0.name < $1.name }
                for vm in old.prefix(vms.count) { replaced.insert(vm.name) }
                let new = vms.filter { self.actions[PlanAction.id(.create, .vm, $0.name)] != nil }.sorted { $0.slot < $1.slot }
                guard !old.isEmpty, !new.isEmpty else { continue }
                let chains = new.map { self.chainOfVM[$0.name, default: []].sorted() }
                for (index, vm) in old.enumerated() {
                    waitsFor[vm.name] = index < new.count ? chains[index] : chains.flatMap { $0 }
                }
                let surge = max(self.options.maxSurge, 1)
                for index in new.indices where index >= surge && index - surge < old.count {
                    gate[PlanAction.id(.create, .vm, new[index].name)] = PlanAction.id(.delete, .vm, old[index - surge].name)
                }
            }
        }

        var pure: [String] = []
        // DNS records first (they point at tunnels).
        var recordDeletesByTarget: [String: [String]] = [:]
        for (name, records) in self.recordsByName.sorted(by: { $0.key < $1.key }) where !desiredRecords.contains(name) {
            for record in records {
                guard let environment = self.recordEnvironment[record.id], self.inScope(environment) else { continue }
                if let selfTunnel, Normalization.dnsName(record.content) == Normalization.tunnelTarget(selfTunnel.id) {
                    protected.append(name)
                    continue
                }
                if self.options.inFlight.contains(name) {
                    protected.append(name)
                    continue
                }
                let owner = self.tunnelOfTarget[Normalization.dnsName(record.content)]
                var action = PlanAction(
                    .delete,
                    .dns,
                    name,
                    environment: environment,
                    reason: self.reason(environment: environment, owner: owner, replaced: owner.map(replaced.contains) ?? false),
                    changes: [.init(field: record.type, before: record.content, after: nil)],
                    dependsOn: owner.flatMap { waitsFor[$0] } ?? [],
                    payload: .deleteDNS(id: record.id, name: name),
                    isReplacement: owner.map(replaced.contains) ?? false
                )
                if records.count > 1 { action.id += " (\(record.id))" }
                self.actions[action.id] = action
                if !action.isReplacement { pure.append(action.id) }
                recordDeletesByTarget[Normalization.dnsName(record.content), default: []].append(action.id)
            }
        }
        // Records being repointed away from a tunnel must flip before the tunnel goes.
        var flipsByTarget: [String: [String]] = [:]
        let recordsByID = Dictionary(self.observed.dnsRecords.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for action in self.actions.values where action.operation == .update && action.resource == .dns {
            if case .updateDNS(let id, _, _, _) = action.payload,
                let record = recordsByID[id]
            {
                flipsByTarget[Normalization.dnsName(record.content), default: []].append(action.id)
            }
        }
        for (name, tunnel) in self.ownedTunnels.sorted(by: { $0.key < $1.key }) where !desiredTunnels.contains(name) {
            guard let environment = self.tunnelEnvironment[name], self.inScope(environment) else { continue }
            if name == self.options.selfVM || self.options.inFlight.contains(name) {
                protected.append(name)
                continue
            }
            let target = Normalization.tunnelTarget(tunnel.id)
            let isReplacement = replaced.contains(name)
            let action = PlanAction(
                .delete,
                .tunnel,
                name,
                environment: environment,
                reason: self.reason(environment: environment, owner: name, replaced: isReplacement),
                changes: tunnel.connections > 0 ? [.init(field: "connections", before: String(tunnel.connections), after: "0 (cleaned first)")] : [],
                dependsOn: (recordDeletesByTarget[target] ?? []) + (flipsByTarget[target] ?? []) + (waitsFor[name] ?? []),
                payload: .deleteTunnel(id: tunnel.id, name: name),
                isReplacement: isReplacement
            )
            self.actions[action.id] = action
            if !isReplacement { pure.append(action.id) }
        }
        for vm in vmDeletes.sorted(by: { $0.name < $1.name }) {
            let environment = vm.labels["dd-env"] ?? "?"
            let isReplacement = replaced.contains(vm.name)
            let tunnelDelete = PlanAction.id(.delete, .tunnel, vm.name)
            var action = PlanAction(
                .delete,
                .vm,
                vm.name,
                environment: environment,
                reason: desiredVMs[vm.name] != nil
                    ? "duplicate instance in \(vm.zone)" : self.reason(environment: environment, owner: vm.name, replaced: isReplacement),
                changes: [.init(field: "zone", before: vm.zone, after: nil)],
                dependsOn: (self.actions[tunnelDelete] == nil ? [] : [tunnelDelete]) + (waitsFor[vm.name] ?? []),
                payload: .deleteVM(zone: vm.zone, vm: vm.name),
                isReplacement: isReplacement
            )
            if (self.ownedVMs[vm.name]?.count ?? 0) > 1 { action.id += " (\(vm.zone))" }
            self.actions[action.id] = action
            if !isReplacement { pure.append(action.id) }
        }
        for (create, delete) in gate where self.actions[delete] != nil {
            self.actions[create]?.dependsOn.append(delete)
        }
        if !protected.isEmpty {
            self.warnings.append(
                "left alone although not in the spec: \(Set(protected).sorted().joined(separator: ", ")) "
                    + "(this control plane's own objects, or objects an unfinished apply is still creating)"
            )
        }
        return pure
    }

    func reason(environment: String, owner: String?, replaced: Bool) -> String {
        if replaced { return "replaced by a new generation (create before destroy)" }
        if !self.desiredEnvironments.contains(environment) {
            return OwnershipMarks.isPreview(environment) ? "preview \(environment) is closed" : "environment \(environment) is not in the spec"
        }
        if let owner, self.ownedVMs[owner] == nil, self.ownedTunnels[owner] != nil, !self.desiredVMNames.contains(owner) {
            return "not in the spec (its VM is gone)"
        }
        return "not in the spec"
    }

    // MARK: Safety

    mutating func refuse(deletions pure: [String]) {
        if self.desired.allVMs.isEmpty && !self.options.allowDestroy {
            self.refusals.append(
                .init(
                    code: "empty-desired-state",
                    message: "the spec declares no VMs at all, so the plan would tear the whole fleet down; "
                        + "if that is really intended, pass --allow-destroy"
                )
            )
        }
        if !self.options.allowDestroy {
            let desiredControlPlanes = Set(self.desired.environments.filter { $0.vms.contains { $0.role == .controlPlane } }.map(\.name))
            for action in self.actions.values where action.operation == .delete && action.resource == .vm {
                guard let vm = self.ownedVMs[action.name]?.first, vm.labels["dd-role"] == DesiredVM.Role.controlPlane.rawValue,
                    self.options.protectedEnvironments.contains(action.environment), !desiredControlPlanes.contains(action.environment)
                else { continue }
                self.refusals.append(
                    .init(
                        code: "protected-control-plane",
                        message: "the plan deletes \(action.name), the control plane of protected environment "
                            + "\(action.environment), with no successor; pass --allow-destroy if that is really intended"
                    )
                )
            }
        }
        if self.ownedInScope > 0 {
            let share = Double(pure.count) / Double(self.ownedInScope)
            if share > self.options.maxDeleteFraction {
                let percent = Int((share * 100).rounded())
                let limit = Int((self.options.maxDeleteFraction * 100).rounded())
                self.refusals.append(
                    .init(
                        code: "circuit-breaker",
                        message: "the plan deletes \(pure.count) of \(self.ownedInScope) owned objects (\(percent)%), above the \(limit)% limit; "
                            + "check the spec and the observation, then raise the limit with --max-delete-percent if it is intended"
                    )
                )
            }
        }
    }

    /// With a partial or stale observation, deletions (and what waits on them) are withheld.
    mutating func withholdIfUnsafe() -> [String] {
        var why: [String] = []
        for source in self.observed.partialSources {
            why.append("\(source.name.rawValue) is partial\(source.detail.map { " (\($0))" } ?? "")")
        }
        let age = self.options.now - self.observed.observedAt
        if self.options.now > 0, age > self.options.maximumSnapshotAge {
            why.append("the observation is \(age) s old (limit \(self.options.maximumSnapshotAge) s)")
        }
        guard !why.isEmpty else { return [] }
        var withheld = Set(self.actions.values.filter { $0.operation == .delete }.map(\.id))
        guard !withheld.isEmpty else { return [] }
        var changed = true
        while changed {
            changed = false
            for action in self.actions.values where !withheld.contains(action.id) && action.dependsOn.contains(where: withheld.contains) {
                withheld.insert(action.id)
                changed = true
            }
        }
        for id in withheld { self.actions[id] = nil }
        self.refusals.removeAll { $0.code == "circuit-breaker" || $0.code == "protected-control-plane" }
        self.warnings.append(
            "\(withheld.count) action(s) withheld, deletions and what waits on them, because \(why.joined(separator: "; ")); "
                + "they are planned again once the observation is complete and fresh"
        )
        return withheld.sorted()
    }

    mutating func checkAgents() {
        let stale = self.observed.agents.filter { $0.health == .stale }.map(\.vm).sorted()
        if !stale.isEmpty { self.warnings.append("stale agents (no heartbeat within the timeout): \(stale.joined(separator: ", "))") }
    }

    // MARK: Order

    /// Environment order, then dependency depth, then resource kind, then id. Sorts indices on
    /// precomputed keys: actions are large values, and a fleet of 10,000 VMs has ~40,000.
    func ordered() -> [PlanAction] {
        var depth: [String: Int] = [:]
        depth.reserveCapacity(self.actions.count)
        func depthOf(_ id: String, _ visiting: inout Set<String>) -> Int {
            if let known = depth[id] { return known }
            guard let action = self.actions[id], visiting.insert(id).inserted else { return 0 }
            let value = action.dependsOn.map { depthOf($0, &visiting) + 1 }.max() ?? 0
            depth[id] = value
            return value
        }
        var visiting: Set<String> = []
        let environmentIndex = Dictionary(self.environmentOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let kindIndex = Dictionary(PlanAction.Resource.allCases.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var list: [PlanAction] = []
        list.reserveCapacity(self.actions.count)
        var keys: [(environment: Int, depth: Int, kind: Int)] = []
        keys.reserveCapacity(self.actions.count)
        for (id, action) in self.actions {
            var action = action
            if action.dependsOn.count > 1 || action.dependsOn.contains(where: { self.actions[$0] == nil }) {
                action.dependsOn = Array(Set(action.dependsOn.filter { self.actions[$0] != nil })).sorted()
            }
            keys.append((environmentIndex[action.environment] ?? Int.max, depthOf(id, &visiting), kindIndex[action.resource] ?? 0))
            list.append(action)
        }
        let order = list.indices.sorted { a, b in
            let ka = keys[a]
            let kb = keys[b]
            if ka.environment != kb.environment { return ka.environment < kb.environment }
            if ka.depth != kb.depth { return ka.depth < kb.depth }
            if ka.kind != kb.kind { return ka.kind < kb.kind }
            return list[a].id < list[b].id
        }
        return order.map { list[$0] }
    }
}
