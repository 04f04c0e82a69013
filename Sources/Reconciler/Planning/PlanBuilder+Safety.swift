import Spec

/// The safety rails: policy refusals, and withholding what a partial or stale observation
/// cannot justify.
extension PlanBuilder {
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
        if !self.options.allowDestroy { self.refuseProtectedControlPlaneDeletions() }
        self.refuseMassDeletion(pure)
    }

    private mutating func refuseProtectedControlPlaneDeletions() {
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

    /// The circuit breaker.
    private mutating func refuseMassDeletion(_ pure: [String]) {
        guard self.ownedInScope > 0 else { return }
        let share = Double(pure.count) / Double(self.ownedInScope)
        guard share > self.options.maxDeleteFraction else { return }
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
}
