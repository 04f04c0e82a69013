import Spec

/// Owned but not desired → delete, DNS → tunnel → VM, with create-before-destroy rollouts.
extension PlanBuilder {
    /// How a rollout ties the old generation's deletions to the new generation's creations.
    struct Rollout {
        /// Old VM (and tunnel) name → the creation chains it waits for.
        var waitsFor: [String: [String]] = [:]
        /// Old VMs being replaced by a new generation (their deletions are replacements).
        var replaced: Set<String> = []
        /// Create-vm id → the delete-vm id it waits for (the surge limit).
        var gate: [String: String] = [:]
    }

    /// Plans the deletions; returns the ids of those that are not replacements.
    mutating func planDeletions() -> [String] {
        let desiredVMs = Dictionary(self.desired.allVMs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var protected: [String] = []
        let (vmDeletes, oldByPool) = self.vmDeletionCandidates(desiredVMs: desiredVMs, protected: &protected)
        let rollout = self.rollout(oldByPool: oldByPool)
        var pure: [String] = []
        let recordDeletesByTarget = self.planRecordDeletions(rollout, protected: &protected, pure: &pure)
        self.planTunnelDeletions(rollout, recordDeletesByTarget: recordDeletesByTarget, protected: &protected, pure: &pure)
        self.planVMDeletions(vmDeletes, rollout, desiredVMs: desiredVMs, pure: &pure)
        for (create, delete) in rollout.gate where self.actions[delete] != nil {
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
            return PreviewNumber.isPreview(environment) ? "preview \(environment) is closed" : "environment \(environment) is not in the spec"
        }
        if let owner, self.ownedVMs[owner] == nil, self.ownedTunnels[owner] != nil, !self.desiredVMNames.contains(owner) {
            return "not in the spec (its VM is gone)"
        }
        return "not in the spec"
    }

    // MARK: VMs

    /// The owned VM instances in scope that the plan does not keep, and those of them that may be
    /// predecessors in a rollout, grouped by `environment/pool`. Protected ones go to `protected`.
    private func vmDeletionCandidates(
        desiredVMs: [String: DesiredVM],
        protected: inout [String]
    ) -> (deletes: [ObservedVM], oldByPool: [String: [ObservedVM]]) {
        var oldByPool: [String: [ObservedVM]] = [:]
        var vmDeletes: [ObservedVM] = []
        for name in self.ownedVMs.keys {
            let vms = self.ownedVMsInScope(named: name)
            for vm in vms {
                guard let environment = vm.labels[label: .environment], self.inScope(environment) else { continue }
                // The copy the plan keeps: the one in the wanted zone, else the first listed.
                if let wanted = desiredVMs[name], vm == (vms.first { $0.zone == wanted.zone } ?? vms[0]) { continue }
                if name == self.options.selfVM || self.options.inFlight.contains(name) {
                    protected.append(name)
                    continue
                }
                vmDeletes.append(vm)
                // A stray copy of a wanted VM is a duplicate, not a predecessor.
                if desiredVMs[name] == nil { oldByPool["\(environment)/\(vm.labels[label: .pool] ?? "?")", default: []].append(vm) }
            }
        }
        return (vmDeletes, oldByPool)
    }

    /// Replacement pairs: the new VM chains each old VM waits for, and the surge gates.
    private func rollout(oldByPool: [String: [ObservedVM]]) -> Rollout {
        var rollout = Rollout()
        for environment in self.desired.environments {
            for (pool, vms) in Dictionary(grouping: environment.vms, by: \.pool) {
                self.pair(vms, old: oldByPool["\(environment.name)/\(pool)"] ?? [], into: &rollout)
            }
        }
        return rollout
    }

    /// Predecessors: owned VMs of this pool from another generation (`dd-spec`). As many as the
    /// pool has slots are replacements — whether or not their successors are created in this run
    /// (a rollout interrupted after its creates) — the rest, and same-generation extras (a lowered
    /// count), are plain deletions.
    private func pair(_ vms: [DesiredVM], old candidates: [ObservedVM], into rollout: inout Rollout) {
        let spec = vms.first?.labels[label: .spec]
        let old = candidates.filter { $0.labels[label: .spec] != spec }.sorted { $0.name < $1.name }
        for vm in old.prefix(vms.count) { rollout.replaced.insert(vm.name) }
        let new = vms.filter { self.actions[PlanAction.id(.create, .vm, $0.name)] != nil }.sorted { $0.slot < $1.slot }
        guard !old.isEmpty, !new.isEmpty else { return }
        let chains = new.map { self.chainOfVM[$0.name, default: []].sorted() }
        for (index, vm) in old.enumerated() {
            rollout.waitsFor[vm.name] = index < new.count ? chains[index] : chains.flatMap { $0 }
        }
        let surge = max(self.options.maxSurge, 1)
        for index in new.indices where index >= surge && index - surge < old.count {
            rollout.gate[PlanAction.id(.create, .vm, new[index].name)] = PlanAction.id(.delete, .vm, old[index - surge].name)
        }
    }

    private mutating func planVMDeletions(_ vmDeletes: [ObservedVM], _ rollout: Rollout, desiredVMs: [String: DesiredVM], pure: inout [String]) {
        for vm in vmDeletes.sorted(by: { $0.name < $1.name }) {
            let environment = vm.labels[label: .environment] ?? "?"
            let isReplacement = rollout.replaced.contains(vm.name)
            let tunnelDelete = PlanAction.id(.delete, .tunnel, vm.name)
            var action = PlanAction(
                .delete,
                .vm,
                vm.name,
                environment: environment,
                reason: desiredVMs[vm.name] != nil
                    ? "duplicate instance in \(vm.zone)" : self.reason(environment: environment, owner: vm.name, replaced: isReplacement),
                changes: [.init(field: "zone", before: vm.zone, after: nil)],
                dependsOn: (self.actions[tunnelDelete] == nil ? [] : [tunnelDelete]) + (rollout.waitsFor[vm.name] ?? []),
                payload: .deleteVM(zone: vm.zone, vm: vm.name),
                isReplacement: isReplacement
            )
            if (self.ownedVMs[vm.name]?.count ?? 0) > 1 { action.actionID.qualifier = vm.zone }
            self.actions[action.id] = action
            if !isReplacement { pure.append(action.id) }
        }
    }

    // MARK: DNS records and tunnels

    /// Deletes the owned records in scope on names the spec does not want (they point at tunnels,
    /// so they go first); returns the deletions by CNAME target.
    private mutating func planRecordDeletions(_ rollout: Rollout, protected: inout [String], pure: inout [String]) -> [String: [String]] {
        let desiredRecords = Set(self.desired.environments.flatMap { $0.dnsRecords.map { Normalization.dnsName($0.name) } })
        let selfTarget = self.options.selfVM.flatMap { self.ownedTunnels[$0] }.map { Normalization.tunnelTarget($0.id) }
        var recordDeletesByTarget: [String: [String]] = [:]
        for (name, records) in self.recordsByName.sorted(by: { $0.key < $1.key }) where !desiredRecords.contains(name) {
            for record in records {
                guard let environment = self.recordEnvironment[record.id], self.inScope(environment) else { continue }
                let target = Normalization.dnsName(record.content)
                if target == selfTarget || self.options.inFlight.contains(name) {
                    protected.append(name)
                    continue
                }
                let owner = self.tunnelOfTarget[target]
                let isReplacement = owner.map(rollout.replaced.contains) ?? false
                var action = PlanAction(
                    .delete,
                    .dns,
                    name,
                    environment: environment,
                    reason: self.reason(environment: environment, owner: owner, replaced: isReplacement),
                    changes: [.init(field: record.type, before: record.content, after: nil)],
                    dependsOn: owner.flatMap { rollout.waitsFor[$0] } ?? [],
                    payload: .deleteDNS(id: record.id, name: name),
                    isReplacement: isReplacement
                )
                if records.count > 1 { action.actionID.qualifier = record.id }
                self.actions[action.id] = action
                if !action.isReplacement { pure.append(action.id) }
                recordDeletesByTarget[target, default: []].append(action.id)
            }
        }
        return recordDeletesByTarget
    }

    /// The planned DNS updates, by the CNAME target they move a record away from: a tunnel goes
    /// only after its records flipped.
    private func flipsByTarget() -> [String: [String]] {
        var flips: [String: [String]] = [:]
        let recordsByID = Dictionary(self.observed.dnsRecords.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for action in self.actions.values where action.operation == .update && action.resource == .dns {
            if case .updateDNS(let id, _, _, _) = action.payload, let record = recordsByID[id] {
                flips[Normalization.dnsName(record.content), default: []].append(action.id)
            }
        }
        return flips
    }

    private mutating func planTunnelDeletions(
        _ rollout: Rollout,
        recordDeletesByTarget: [String: [String]],
        protected: inout [String],
        pure: inout [String]
    ) {
        let desiredTunnels = Set(self.desired.environments.flatMap { $0.tunnels.map(\.name) })
        let flipsByTarget = self.flipsByTarget()
        for (name, tunnel) in self.ownedTunnels.sorted(by: { $0.key < $1.key }) where !desiredTunnels.contains(name) {
            guard let environment = self.tunnelEnvironment[name], self.inScope(environment) else { continue }
            if name == self.options.selfVM || self.options.inFlight.contains(name) {
                protected.append(name)
                continue
            }
            let target = Normalization.tunnelTarget(tunnel.id)
            let isReplacement = rollout.replaced.contains(name)
            let action = PlanAction(
                .delete,
                .tunnel,
                name,
                environment: environment,
                reason: self.reason(environment: environment, owner: name, replaced: isReplacement),
                changes: tunnel.connections > 0 ? [.init(field: "connections", before: String(tunnel.connections), after: "0 (cleaned first)")] : [],
                dependsOn: (recordDeletesByTarget[target] ?? []) + (flipsByTarget[target] ?? []) + (rollout.waitsFor[name] ?? []),
                payload: .deleteTunnel(id: tunnel.id, name: name),
                isReplacement: isReplacement
            )
            self.actions[action.id] = action
            if !isReplacement { pure.append(action.id) }
        }
    }
}
