import Spec

/// One step of a plan: an operation on one resource, why, what changes, and what must finish
/// first.
public struct PlanAction: Sendable, Hashable, Identifiable {
    /// What happens to the resource.
    public enum Operation: String, Sendable, Hashable, CaseIterable {
        /// It is made.
        case create
        /// It is changed in place.
        case update
        /// It is removed.
        case delete

        /// The symbol plans show: `+`, `~` or `-`.
        public var symbol: String {
            switch self {
            case .create: "+"
            case .update: "~"
            case .delete: "-"
            }
        }
    }

    /// The kind of resource.
    public enum Resource: String, Sendable, Hashable, CaseIterable {
        /// A GCE instance.
        case vm
        /// A Cloudflare tunnel.
        case tunnel
        /// A tunnel's ingress rules (its remote configuration).
        case ingress
        /// A Cloudflare DNS record.
        case dns
    }

    /// One changed field, for display. Values never hold secrets (metadata shows a digest).
    public struct Change: Sendable, Hashable {
        /// The field.
        public var field: String
        /// The current value, nil when absent.
        public var before: String?
        /// The wanted value, nil when removed.
        public var after: String?

        /// Creates a change.
        public init(field: String, before: String?, after: String?) {
            self.field = field
            self.before = before
            self.after = after
        }
    }

    /// What the executor needs to perform the action.
    public enum Payload: Sendable, Hashable {
        /// Insert the instance.
        case createVM(DesiredVM)
        /// Replace the instance's labels.
        case setLabels(zone: String, vm: String, labels: [String: String])
        /// Set the `ee-config` metadata attribute.
        case setEEConfig(zone: String, vm: String, value: String)
        /// Start a stopped instance.
        case startVM(zone: String, vm: String)
        /// Delete the instance.
        case deleteVM(zone: String, vm: String)
        /// Create the tunnel (adopting a live one of that name).
        case createTunnel(name: String)
        /// Put the ingress rules on the tunnel of that name.
        case putIngress(tunnel: String, rules: [IngressRule])
        /// Delete a tunnel (cleaning its connections first).
        case deleteTunnel(id: String, name: String)
        /// Create a proxied CNAME to the named tunnel.
        case createDNS(name: String, tunnel: String, comment: String)
        /// Point an existing record at the named tunnel, proxied, with the comment.
        case updateDNS(id: String, name: String, tunnel: String, comment: String)
        /// Delete a record.
        case deleteDNS(id: String, name: String)
    }

    /// What the action does to which object.
    public var actionID: ActionID {
        didSet { self.id = self.actionID.description }
    }
    /// The stable identifier, ``actionID`` rendered once (`<operation> <resource> <name>`, plus
    /// ` (<qualifier>)`): plans key, order and link actions by it, so it is stored, not
    /// re-rendered on every use. Nothing parses it.
    public private(set) var id: String
    /// The operation.
    public var operation: Operation
    /// The resource kind.
    public var resource: Resource
    /// The resource's name (VM or tunnel name, DNS record name).
    public var name: String
    /// The environment it belongs to.
    public var environment: String
    /// Why the action is needed, in words.
    public var reason: String
    /// The field changes, for display.
    public var changes: [Change]
    /// Actions that must finish first.
    public var dependsOn: [String]
    /// What to do.
    public var payload: Payload
    /// True for the delete half of a create-before-destroy replacement.
    public var isReplacement: Bool

    /// Creates an action; its id derives from operation, resource and name.
    public init(
        _ operation: Operation,
        _ resource: Resource,
        _ name: String,
        environment: String,
        reason: String,
        changes: [Change] = [],
        dependsOn: [String] = [],
        payload: Payload,
        isReplacement: Bool = false
    ) {
        self.actionID = ActionID(operation, resource, name)
        self.id = self.actionID.description
        self.operation = operation
        self.resource = resource
        self.name = name
        self.environment = environment
        self.reason = reason
        self.changes = changes
        self.dependsOn = dependsOn
        self.payload = payload
        self.isReplacement = isReplacement
    }

    /// The id of an action without a qualifier.
    public static func id(_ operation: Operation, _ resource: Resource, _ name: String) -> String {
        ActionID(operation, resource, name).description
    }
}
