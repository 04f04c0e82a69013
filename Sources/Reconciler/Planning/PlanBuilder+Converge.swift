import Spec

/// Desired → create / update, VM → tunnel → ingress → DNS.
extension PlanBuilder {
    mutating func add(_ action: PlanAction, vm: String) {
        self.actions[action.id] = action
        self.chainOfVM[vm, default: []].append(action.id)
    }

    mutating func converge(_ environment: DesiredEnvironment) {
        for vm in environment.vms { self.converge(vm, environment: environment.name) }
        for tunnel in environment.tunnels { self.converge(tunnel, environment: environment.name) }
        for record in environment.dnsRecords { self.converge(record, environment: environment.name) }
    }

    func desiredVM(ofTunnel tunnel: String) -> String { self.vmOfTunnel[tunnel] ?? tunnel }

    // MARK: VMs

    mutating func converge(_ vm: DesiredVM, environment: String) {
        let candidates = self.ownedVMsInScope(named: vm.name)
        if candidates.isEmpty, let other = self.ownedVMs[vm.name]?.first {
            // Its dd-env says another control plane's: neither changed nor duplicated.
            self.warnings.append(
                "left alone: \(vm.name), which the spec wants in \(environment), carries dd-env=\(other.labels[label: .environment] ?? "?"), "
                    + "outside this plan's scope (\(self.options.environmentScope)); relabel or delete it by hand"
            )
            return
        }
        guard let current = candidates.first(where: { $0.zone == vm.zone }) ?? candidates.first else {
            self.createVM(vm, environment: environment)
            return
        }
        self.convergeLabels(vm, current: current, environment: environment)
        self.convergeEEConfig(vm, current: current, environment: environment)
        self.convergeStatus(vm, current: current, environment: environment)
    }

    private mutating func createVM(_ vm: DesiredVM, environment: String) {
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
    }

    /// Managed labels: the spec's keys and every `dd-` key (except the writer's). Others —
    /// billing tools, `goog-` labels — are kept as they are, never diffed.
    private mutating func convergeLabels(_ vm: DesiredVM, current: ObservedVM, environment: String) {
        let wantedLabels = Normalization.labels(vm.labels)
        let haveLabels = Normalization.labels(current.labels)
        let managed = Set(wantedLabels.keys).union(haveLabels.keys.filter { LabelKey.isManaged($0) })
        let drifted = managed.filter { wantedLabels[$0] != haveLabels[$0] }.sorted()
        guard !drifted.isEmpty else { return }
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

    private mutating func convergeEEConfig(_ vm: DesiredVM, current: ObservedVM, environment: String) {
        let wanted = vm.eeConfig.metadataValue
        guard current.eeConfig != wanted else { return }
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
        action.actionID.qualifier = "ee-config"
        self.add(action, vm: vm.name)
    }

    private mutating func convergeStatus(_ vm: DesiredVM, current: ObservedVM, environment: String) {
        if current.isSuspended {
            self.warnings.append("\(vm.name) is SUSPENDED; resume it (gcloud compute instances resume) or delete it to have it recreated")
        }
        guard current.isStopped else { return }
        var action = PlanAction(
            .update,
            .vm,
            vm.name,
            environment: environment,
            reason: "stopped (\(current.status))",
            changes: [.init(field: "status", before: current.status.rawValue, after: VMStatus.running.rawValue)],
            payload: .startVM(zone: current.zone, vm: vm.name)
        )
        action.actionID.qualifier = "start"
        self.add(action, vm: vm.name)
    }

    // MARK: Tunnels

    mutating func converge(_ tunnel: DesiredTunnel, environment: String) {
        let wanted = Normalization.ingress(tunnel.ingress)
        guard let current = self.ownedTunnels[tunnel.name] else {
            self.createTunnel(tunnel, ingress: wanted, environment: environment)
            return
        }
        guard let ingress = current.ingress else { return }  // configuration unread: the source is partial
        // The comparison registration's provisioning makes too (TunnelWants), so the two agree.
        guard !TunnelWants(tunnel: tunnel, records: [], hostname: tunnel.name).ingressMatches(ingress) else { return }
        let have = Normalization.ingress(ingress)
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

    private mutating func createTunnel(_ tunnel: DesiredTunnel, ingress wanted: [IngressRule], environment: String) {
        let vmCreate = PlanAction.id(.create, .vm, tunnel.vm)
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
}
