/// What a plan action does to which object: the operation, the kind of resource, its name and,
/// when one object gets several actions of the same kind, what tells them apart (`ee-config`,
/// `start`, a zone, a record id). The journal and the executor read these fields; the string
/// (``description``) is only their one rendering for plans, JSON and the journal's key, and is
/// never parsed back.
public struct ActionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The operation.
    public var operation: PlanAction.Operation
    /// The kind of resource.
    public var resource: PlanAction.Resource
    /// The resource's name (VM or tunnel name, DNS record name).
    public var name: String
    /// Tells apart actions of one operation on one object, nil for the usual single one.
    public var qualifier: String?

    /// Creates an identity.
    public init(_ operation: PlanAction.Operation, _ resource: PlanAction.Resource, _ name: String, qualifier: String? = nil) {
        self.operation = operation
        self.resource = resource
        self.name = name
        self.qualifier = qualifier
    }

    /// `<operation> <resource> <name>`, then ` (<qualifier>)` when there is one:
    /// `update vm dd-production-web-0-1a2b3c4d (ee-config)`.
    public var description: String {
        let base = "\(self.operation.rawValue) \(self.resource.rawValue) \(self.name)"
        return self.qualifier.map { "\(base) (\($0))" } ?? base
    }

    /// Ordered by rendering, the order plans have always listed ids in.
    public static func < (lhs: ActionID, rhs: ActionID) -> Bool { lhs.description < rhs.description }
}
