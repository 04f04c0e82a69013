import Spec

extension PlanBuilder {
    /// Indexes the desired and the owned objects, and counts what is owned in scope.
    mutating func index() {
        self.indexDesired()
        let vmEnvironment = self.indexOwnedVMs()
        let ownedTargets = self.indexRecords()
        self.indexOwnedTunnels(vmEnvironment: vmEnvironment, ownedTargets: ownedTargets)
        let previewsLeftAlone = self.countOwnedInScope()
        self.warnUnlabelledVMs()
        if previewsLeftAlone > 0 {
            self.warnings.append(
                "\(previewsLeftAlone) owned object(s) of pull-request previews not named with --preview were left alone; "
                    + "pass --preview N for every open pull request (or --no-previews) to manage previews"
            )
        }
    }

    /// True when the plan may update and delete the owned objects of `environment`: it is in
    /// the environment scope, and either desired, or long-lived (removed from the spec), or a
    /// preview while previews are managed.
    func inScope(_ environment: String) -> Bool {
        guard self.options.environmentScope.contains(environment) else { return false }
        if self.desiredEnvironments.contains(environment) { return true }
        if PreviewNumber.isPreview(environment) { return self.options.previewScope == .exact }
        return true
    }

    /// The owned instances named `name` that the environment scope holds. One without a `dd-env`
    /// label is held: its environment is unknown, and only the spec's name claims it.
    func ownedVMsInScope(named name: String) -> [ObservedVM] {
        let owned = self.ownedVMs[name] ?? []
        guard case .only = self.options.environmentScope else { return owned }
        return owned.filter { $0.labels[label: .environment].map(self.options.environmentScope.contains) ?? true }
    }

    private mutating func indexDesired() {
        self.desiredEnvironments = Set(self.desired.environments.map(\.name))
        self.environmentOrder = self.desired.environments.map(\.name)
        for environment in self.desired.environments {
            for tunnel in environment.tunnels { self.vmOfTunnel[tunnel.name] = tunnel.vm }
            for vm in environment.vms { self.desiredVMNames.insert(vm.name) }
        }
    }

    /// Indexes the owned VMs; returns owned VM name → its `dd-env`.
    private mutating func indexOwnedVMs() -> [String: String] {
        var vmEnvironment: [String: String] = [:]
        for vm in self.observed.vms where self.marks.owns(vm) {
            self.ownedVMs[vm.name, default: []].append(vm)
            if let environment = vm.labels[label: .environment] { vmEnvironment[vm.name] = environment }
        }
        return vmEnvironment
    }

    /// Indexes every record by name and the owned ones' environments; returns the CNAME target
    /// of each owned record → its environment.
    private mutating func indexRecords() -> [String: String] {
        var ownedTargets: [String: String] = [:]
        for record in self.observed.dnsRecords {
            let name = Normalization.dnsName(record.name)
            self.recordsByName[name, default: []].append(record)
            if let environment = self.marks.environment(of: record) {
                self.recordEnvironment[record.id] = environment
                ownedTargets[Normalization.dnsName(record.content)] = environment
            }
        }
        return ownedTargets
    }

    /// Tunnels carry no labels: one is the fleet's only with proof — the spec wants it (in any
    /// environment, in scope or not), an owned VM has its name, or an owned DNS record points at
    /// it. A tunnel that merely looks like ours (another fleet with the same prefix) is left
    /// alone, and reported when it looks like one of the scope's.
    private mutating func indexOwnedTunnels(vmEnvironment: [String: String], ownedTargets: [String: String]) {
        var desiredTunnelEnvironment: [String: String] = [:]
        for environment in self.fleetDesired.environments {
            for tunnel in environment.tunnels { desiredTunnelEnvironment[tunnel.name] = environment.name }
        }
        let known = Set(self.fleetDesired.environments.map(\.name)).union(vmEnvironment.values)
        var lookalikes: [String] = []
        for tunnel in self.observed.tunnels {
            let target = Normalization.tunnelTarget(tunnel.id)
            guard let environment = desiredTunnelEnvironment[tunnel.name] ?? vmEnvironment[tunnel.name] ?? ownedTargets[target] else {
                let lookalike = self.marks.environment(ofTunnel: tunnel.name, environments: known)
                if let lookalike, self.options.environmentScope.contains(lookalike) { lookalikes.append(tunnel.name) }
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
    }

    /// Counts the owned objects in scope, appends the environments only observed to the order,
    /// and returns how many owned objects of previews are out of scope only because previews are
    /// not managed. Those outside the environment scope are another control plane's: neither
    /// counted nor returned.
    private mutating func countOwnedInScope() -> Int {
        let ownedEnvironments =
            self.ownedVMs.values.flatMap { $0.compactMap { $0.labels[label: .environment] } } + self.tunnelEnvironment.values.map { $0 }
            + self.recordEnvironment.values.map { $0 }
        var previewsLeftAlone = 0
        var observedOnly: Set<String> = []
        for environment in ownedEnvironments {
            if self.inScope(environment) {
                self.ownedInScope += 1
                if !self.desiredEnvironments.contains(environment) { observedOnly.insert(environment) }
            } else if self.options.environmentScope.contains(environment) {
                previewsLeftAlone += 1
            }
        }
        self.environmentOrder += observedOnly.sorted()
        return previewsLeftAlone
    }

    private mutating func warnUnlabelledVMs() {
        let unlabelled = self.ownedVMs.values.flatMap { $0 }.filter { $0.labels[label: .environment] == nil }.map(\.name).sorted()
        guard !unlabelled.isEmpty else { return }
        self.warnings.append(
            "left alone: \(unlabelled.joined(separator: ", ")) carry dd-fleet=\(self.marks.fleet) but no dd-env label, "
                + "so their environment is unknown; label or delete them by hand"
        )
    }
}
