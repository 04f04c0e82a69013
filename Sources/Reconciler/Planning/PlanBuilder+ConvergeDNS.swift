import Spec

/// Desired DNS records → create / update (and the deletion of duplicates on a managed name).
extension PlanBuilder {
    /// Where a desired record goes.
    struct RecordPlacement {
        /// The record's name, canonical.
        var name: String
        var environment: String
        /// The CNAME target; nil while its tunnel is yet to be created.
        var target: String?
        /// The creations of its tunnel and ingress in this plan.
        var dependencies: [String]
        /// The VM whose creation chain the record belongs to.
        var vm: String
    }

    mutating func converge(_ record: DesiredDNSRecord, environment: String) {
        let name = Normalization.dnsName(record.name)
        let existing = self.recordsByName[name] ?? []
        // Owned records of environments outside the scope are another control plane's: this plan
        // neither repoints nor deletes them, and does not count them as foreign.
        let scope = self.options.environmentScope
        let owned =
            if case .only = scope {
                existing.filter { self.recordEnvironment[$0.id].map(scope.contains) ?? false }
            } else {
                existing.filter { self.recordEnvironment[$0.id] != nil }
            }
        let placement = RecordPlacement(
            name: name,
            environment: environment,
            target: self.ownedTunnels[record.tunnel].map { Normalization.tunnelTarget($0.id) },
            dependencies: [PlanAction.id(.create, .tunnel, record.tunnel), PlanAction.id(.create, .ingress, record.tunnel)]
                .filter { self.actions[$0] != nil },
            vm: self.desiredVM(ofTunnel: record.tunnel)
        )
        guard !owned.isEmpty else {
            self.placeUnowned(record, existing: existing, at: placement)
            return
        }
        let keep = owned.first { Normalization.dnsName($0.content) == placement.target && $0.type == "CNAME" } ?? owned[0]
        self.deleteDuplicates(of: owned, keeping: keep, at: placement)
        self.updateRecord(keep, to: record, at: placement)
    }

    /// No owned record of the scope holds the name: an owned one of another environment makes the
    /// plan wait for that environment's control plane to release it (creating would make a twin),
    /// a foreign one is a refusal, and a free name gets its record.
    private mutating func placeUnowned(_ record: DesiredDNSRecord, existing: [ObservedDNSRecord], at placement: RecordPlacement) {
        if let other = existing.first(where: { self.recordEnvironment[$0.id] != nil }) {
            self.warnings.append(
                "left alone: \(placement.name), which the spec wants in \(placement.environment), is held by a record of "
                    + "\(self.recordEnvironment[other.id] ?? "?"), outside this plan's scope (\(self.options.environmentScope)); "
                    + "it is created once that environment's control plane has released the name"
            )
        } else if let foreign = existing.first {
            self.refuseForeign(foreign, on: record)
        } else {
            self.createRecord(record, at: placement)
        }
    }

    private mutating func refuseForeign(_ foreign: ObservedDNSRecord, on record: DesiredDNSRecord) {
        self.refusals.append(
            .init(
                code: .foreignDNSRecord,
                message:
                    "\(record.name) is taken by a \(foreign.type) record (id \(foreign.id)) without this fleet's ownership comment; "
                    + "delete it, or adopt it by setting its comment to '\(record.comment)'"
            )
        )
    }

    private mutating func createRecord(_ record: DesiredDNSRecord, at placement: RecordPlacement) {
        self.add(
            PlanAction(
                .create,
                .dns,
                placement.name,
                environment: placement.environment,
                reason: "not found in Cloudflare",
                changes: [.init(field: "CNAME", before: nil, after: placement.target ?? "(tunnel \(record.tunnel), known after apply)")],
                dependsOn: placement.dependencies,
                payload: .createDNS(name: placement.name, tunnel: record.tunnel, comment: record.comment)
            ),
            vm: placement.vm
        )
    }

    private mutating func deleteDuplicates(of owned: [ObservedDNSRecord], keeping keep: ObservedDNSRecord, at placement: RecordPlacement) {
        for duplicate in owned where duplicate.id != keep.id {
            var action = PlanAction(
                .delete,
                .dns,
                placement.name,
                environment: placement.environment,
                reason: "duplicate record on a managed name",
                changes: [.init(field: duplicate.type, before: duplicate.content, after: nil)],
                payload: .deleteDNS(id: duplicate.id, name: placement.name)
            )
            action.actionID.qualifier = duplicate.id
            guard self.inScope(self.recordEnvironment[duplicate.id] ?? placement.environment), !self.options.inFlight.contains(placement.name)
            else { continue }
            self.actions[action.id] = action
            self.duplicateDeletes.append(action.id)
        }
    }

    private mutating func updateRecord(_ keep: ObservedDNSRecord, to record: DesiredDNSRecord, at placement: RecordPlacement) {
        var changes: [PlanAction.Change] = []
        let content = Normalization.dnsName(keep.content)
        if keep.type != "CNAME" { changes.append(.init(field: "type", before: keep.type, after: "CNAME")) }
        if content != placement.target {
            changes.append(.init(field: "content", before: keep.content, after: placement.target ?? "(tunnel \(record.tunnel), known after apply)"))
        }
        if !keep.proxied { changes.append(.init(field: "proxied", before: "false", after: "true")) }
        if keep.comment != record.comment { changes.append(.init(field: "comment", before: keep.comment, after: record.comment)) }
        guard !changes.isEmpty else { return }
        self.add(
            PlanAction(
                .update,
                .dns,
                placement.name,
                environment: placement.environment,
                reason: content != placement.target ? "points elsewhere" : "record settings differ",
                changes: changes,
                dependsOn: placement.dependencies,
                payload: .updateDNS(id: keep.id, name: placement.name, tunnel: record.tunnel, comment: record.comment)
            ),
            vm: placement.vm
        )
    }
}
