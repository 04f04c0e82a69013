import Spec

/// How the reconciler recognises what belongs to its fleet. Only objects carrying these marks
/// are ever updated or deleted; everything else is foreign and left alone.
///
/// - GCE instances: the label `dd-fleet` equals the fleet's name.
/// - DNS records: the ``OwnershipComment`` names this fleet.
/// - Tunnels (which have no labels): the name is `<prefix>-<environment>-…-<8 hex>` for an
///   environment of this fleet — a spec environment, a `pr-<n>` preview, or the environment of
///   an owned VM of the same name.
public struct OwnershipMarks: Sendable, Hashable {
    /// The fleet's name (`metadata.name`).
    public var fleet: String
    /// The resource name prefix (`metadata.namePrefix`).
    public var prefix: String

    /// Creates the marks for a fleet.
    public init(fleet: String, prefix: String) {
        self.fleet = fleet
        self.prefix = prefix
    }

    /// True when the VM carries this fleet's label.
    public func owns(_ vm: ObservedVM) -> Bool { vm.labels[label: .fleet] == self.fleet }

    /// The environment a DNS record's comment names, when the comment marks it as this fleet's.
    public func environment(of record: ObservedDNSRecord) -> String? {
        guard let comment = record.comment.flatMap(OwnershipComment.init(parsing:)), comment.fleet == self.fleet else { return nil }
        return comment.environment
    }

    /// The environment a tunnel belongs to, when its name follows this fleet's naming scheme for
    /// one of `environments` (longest match first) or for a preview.
    public func environment(ofTunnel name: String, environments: Set<String>) -> String? {
        guard name.hasPrefix("\(self.prefix)-") else { return nil }
        let rest = name.dropFirst(self.prefix.count + 1)
        guard ResourceNaming.generation(of: rest) != nil else { return nil }
        let known = environments.sorted { $0.count > $1.count }.first { rest.hasPrefix("\($0)-") }
        if let known { return known }
        return PreviewNumber(leadingEnvironmentOf: rest)?.environment
    }
}
