/// Everything the fleet should consist of, derived purely from the spec and the open previews:
/// the input to the reconciler's planner.
public struct DesiredState: Sendable, Hashable {
    /// The fleet's name.
    public var fleet: String
    /// The environments, long-lived ones in file order, then previews by number.
    public var environments: [DesiredEnvironment]

    /// Every VM of every environment.
    public var allVMs: [DesiredVM] { self.environments.flatMap(\.vms) }
}

/// One environment's VMs, tunnels and DNS records.
public struct DesiredEnvironment: Sendable, Hashable {
    /// Whether an environment is long-lived or a pull-request preview.
    public enum Kind: String, Sendable, Hashable {
        /// Declared under `environments`.
        case persistent
        /// Made from `previews` for a pull request.
        case preview
    }

    /// The name.
    public var name: String
    /// Long-lived or preview.
    public var kind: Kind
    /// The pull request, for previews.
    public var previewNumber: Int?
    /// How long a preview lives after its last update, in seconds.
    public var ttlSeconds: Int?
    /// The control plane's hostname.
    public var hostname: String
    /// The VMs: the control plane first, then each pool's slots in order.
    public var vms: [DesiredVM]
    /// One tunnel per VM.
    public var tunnels: [DesiredTunnel]
    /// One proxied CNAME per tunnel hostname.
    public var dnsRecords: [DesiredDNSRecord]
}

/// A confidential VM.
public struct DesiredVM: Sendable, Hashable {
    /// A control plane or an agent.
    public enum Role: String, Sendable, Hashable {
        /// The environment's control plane.
        case controlPlane = "cp"
        /// An agent in a pool.
        case agent
    }

    /// The GCE instance name (deterministic).
    public var name: String
    /// The role.
    public var role: Role
    /// The pool (`cp` for the control plane).
    public var pool: String
    /// The slot within the pool.
    public var slot: Int
    /// The generation hash: the first hex characters of the pool's configuration digest.
    public var generation: String
    /// The zone.
    public var zone: String
    /// The machine type.
    public var machineType: String
    /// The boot disk in GB.
    public var diskGb: Int
    /// The boot image.
    public var image: ImageReference
    /// The network.
    public var network: String
    /// The subnetwork, if any.
    public var subnetwork: String?
    /// The service account, if any.
    public var serviceAccount: String?
    /// The GCE labels, including the ownership labels `dd-fleet`, `dd-env`, `dd-role`,
    /// `dd-pool` and `dd-spec` (`dd-epoch` is reserved for the writer's fencing epoch: the
    /// reconciler keeps it and never compares it).
    public var labels: [String: String]
    /// The hostname the VM's tunnel serves.
    public var hostname: String
    /// The `ee-config` metadata value the VM boots with.
    public var eeConfig: EEConfig
}

/// A Cloudflare tunnel with its ingress rules.
public struct DesiredTunnel: Sendable, Hashable {
    /// The tunnel name (the VM's name).
    public var name: String
    /// The VM that runs the connector.
    public var vm: String
    /// Ingress rules, ending with the catch-all.
    public var ingress: [IngressRule]

    /// Creates a tunnel.
    public init(name: String, vm: String, ingress: [IngressRule]) {
        self.name = name
        self.vm = vm
        self.ingress = ingress
    }
}

/// One tunnel ingress rule.
public struct IngressRule: Sendable, Hashable {
    /// The hostname, or nil for the catch-all.
    public var hostname: String?
    /// The origin service, like `http://localhost:8080` or `http_status:404`.
    public var service: String

    /// Creates a rule; a nil host name makes the catch-all.
    public init(hostname: String?, service: String) {
        self.hostname = hostname
        self.service = service
    }
}

/// A proxied CNAME pointing at a tunnel.
public struct DesiredDNSRecord: Sendable, Hashable {
    /// The fully qualified name.
    public var name: String
    /// The tunnel whose `<id>.cfargotunnel.com` the record points at.
    public var tunnel: String
    /// The ownership comment.
    public var comment: String

    /// Creates a record.
    public init(name: String, tunnel: String, comment: String) {
        self.name = name
        self.tunnel = tunnel
        self.comment = comment
    }
}
