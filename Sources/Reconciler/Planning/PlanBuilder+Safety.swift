import Spec

/// The safety rails: policy refusals, and withholding what a partial or stale observation
/// cannot justify.
extension PlanBuilder {
    mutating func refuse(deletions pure: [String]) {
        if self.desired.allVMs.isEmpty && !self.options.allowDestroy {
            let what =
                self.options.environmentScope == .all
                ? "no VMs at all, so the plan would tear the whole fleet down"
                : "no VMs in this plan's scope (\(self.options.environmentScope)), so the plan would tear all of it down"
            self.refusals.append(
                .init(code: .emptyDesiredState, message: "the spec declares \(what); if that is really intended, pass --allow-destroy")
            )
        }
        if !self.options.allowDestroy { self.refuseProtectedControlPlaneDeletions() }
        self.refuseMassDeletion(pure)
    }

    private mutating func refuseProtectedControlPlaneDeletions() {
        let desiredControlPlanes = Set(self.desired.environments.filter { $0.vms.contains { $0.role == .controlPlane } }.map(\.name))
        for action in self.actions.values where action.operation == .delete && action.resource == .vm {
            guard let vm = self.ownedVMs[action.name]?.first, vm.labels[label: .role] == DesiredVM.Role.controlPlane.rawValue,
                self.options.protectedEnvironments.contains(action.environment), !desiredControlPlanes.contains(action.environment)
            else { continue }
            self.refusals.append(
                .init(
                    code: .protectedControlPlane,
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
                code: .circuitBreaker,
                message: "the plan deletes \(pure.count) of \(self.ownedInScope) owned objects (\(percent)%), above the \(limit)% limit; "
                    + "check the spec and the observation, then raise the limit with --max-delete-percent if it is intended"
            )
        )
    }

    /// With a partial or stale observation, deletions (and what waits on them) are withheld. A
    /// partial source also withholds the creations of the objects it would have listed —
    /// unreadable is not absent, and creating one it holds would make a twin — and what waits on
    /// them. Updates of objects that were listed stay.
    mutating func withholdIfUnsafe() -> [Plan.Withheld] {
        let partial = self.observed.partialSources
        var why = partial.map(Self.describe)
        let age = self.options.now - self.observed.observedAt
        if self.options.now > 0, age > self.options.maximumSnapshotAge {
            why.append("the observation is \(age) s old (limit \(self.options.maximumSnapshotAge) s)")
        }
        guard !why.isEmpty else { return [] }
        var reasons = self.unknownCreations(partial)
        let creations = reasons.count
        for action in self.actions.values where action.operation == .delete { reasons[action.id] = why.joined(separator: "; ") }
        guard !reasons.isEmpty else { return [] }
        let deletions = reasons.count - creations
        self.withholdDependents(&reasons)
        for id in reasons.keys { self.actions[id] = nil }
        self.refusals.removeAll { $0.code == .circuitBreaker || $0.code == .protectedControlPlane }
        var what: [String] = []
        if deletions > 0 { what.append("deletions") }
        if creations > 0 { what.append("creates of objects a partial source did not list (they may exist)") }
        self.warnings.append(
            "\(reasons.count) action(s) withheld, \(what.joined(separator: ", ")) and what waits on them, "
                + "because \(why.joined(separator: "; ")); they are planned again once the observation is complete and fresh"
        )
        return reasons.map { Plan.Withheld(id: $0.key, reason: $0.value) }.sorted { $0.id < $1.id }
    }

    /// `SOURCE is partial (detail)`.
    private static func describe(_ source: SourceStatus) -> String {
        "\(source.name.rawValue) is partial\(source.detail.map { " (\($0))" } ?? "")"
    }

    /// The planned creations of objects that a partial source would have listed, with the reason
    /// they are withheld.
    private func unknownCreations(_ partial: [SourceStatus]) -> [String: String] {
        var reasons: [String: String] = [:]
        for source in partial {
            guard let resource = source.name.listedResource else { continue }
            for action in self.actions.values where action.operation == .create && action.resource == resource {
                reasons[action.id] = "unknown: \(Self.describe(source))"
            }
        }
        return reasons
    }

    /// Adds what waits on a withheld action, transitively, each with the first (by id) of its
    /// withheld dependencies as the reason.
    private func withholdDependents(_ reasons: inout [String: String]) {
        var withheld = Set(reasons.keys)
        var changed = true
        while changed {
            changed = false
            for action in self.actions.values where !withheld.contains(action.id) && action.dependsOn.contains(where: withheld.contains) {
                withheld.insert(action.id)
                changed = true
            }
        }
        for id in withheld where reasons[id] == nil {
            let dependency = self.actions[id]?.dependsOn.filter(withheld.contains).min() ?? "?"
            reasons[id] = "waits on \(dependency)"
        }
    }

    mutating func checkAgents() {
        let stale = self.observed.agents.filter { $0.health == .stale }.map(\.vm).sorted()
        if !stale.isEmpty { self.warnings.append("stale agents (no heartbeat within the timeout): \(stale.joined(separator: ", "))") }
    }
}

extension SourceStatus.Name {
    /// The kind of resource whose creations this source's list rules out: an object missing
    /// from a complete list does not exist, one missing from a partial list may.
    var listedResource: PlanAction.Resource? {
        switch self {
        case .gceInstances: .vm
        case .cloudflareTunnels: .tunnel
        case .cloudflareDNS: .dns
        case .cloudflareTunnelConfigurations, .agents: nil
        }
    }
}
