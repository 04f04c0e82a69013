/// A fleet file as written, after structural checks: the input to validation and resolution.
/// Optional fields are nil where the file leaves them out; ``FleetResolver`` applies defaults and
/// `from:` inheritance.
public struct FleetSpec: Sendable {
    /// `metadata`.
    public var metadata: FleetMetadata
    /// `providers.gce`.
    public var gce: GCEProviderSpec
    /// `providers.cloudflare`.
    public var cloudflare: CloudflareProviderSpec
    /// `attestation.policy`.
    public var attestation: AttestationPolicySpec
    /// `attestation.pccs`: the PCCS (or Intel PCS) base URL collateral comes from, when set;
    /// rendered into every VM's boot environment as `DD_PCCS_URL`.
    public var pccs: String?
    /// `environments`, in file order.
    public var environments: [EnvironmentSpec]
    /// `previews`, when present.
    public var previews: PreviewSpec?
    /// `workloads`, in file order.
    public var workloads: [WorkloadSpec]
}

/// `metadata`: who the fleet is.
public struct FleetMetadata: Sendable, Hashable {
    /// The fleet's name.
    public var name: String
    /// The owning GitHub login.
    public var owner: String
    /// The first part of every resource name.
    public var namePrefix: String
    /// Extra labels for every VM.
    public var labels: [Located<String>: String]
}

/// An image family in an image project.
public struct ImageReference: Sendable, Hashable {
    /// The family.
    public var family: String
    /// The project publishing it.
    public var project: String
}

/// `providers.gce`.
public struct GCEProviderSpec: Sendable, Hashable {
    /// The project id.
    public var project: String
    /// The zones, from `zone` or `zones`.
    public var zones: [String]
    /// The boot image.
    public var image: ImageReference
    /// The VPC network.
    public var network: String
    /// The subnetwork, if any.
    public var subnetwork: String?
    /// The service account VMs run as, if any.
    public var serviceAccount: String?
    /// The reconciler's credentials, if not from the metadata server.
    public var credentials: SecretReference?
}

/// `providers.cloudflare`.
public struct CloudflareProviderSpec: Sendable, Hashable {
    /// The account id.
    public var accountID: String
    /// The zone id.
    public var zoneID: String
    /// The zone's domain.
    public var domain: String
    /// The API token reference.
    public var apiToken: SecretReference?
}

/// `attestation.policy`.
public struct AttestationPolicySpec: Sendable, Hashable {
    /// Allowed MRTDs, lowercase hex.
    public var mrtd: [String]
    /// Allowed values of RTMR0 to RTMR3, lowercase hex; an empty list allows any.
    public var rtmr: [[String]]
    /// The pinned MRCONFIGID, if any.
    public var mrConfigID: String?
    /// The pinned MROWNER, if any.
    public var mrOwner: String?
    /// Refuse DEBUG TDs.
    public var rejectDebug: Bool
    /// The lowest TEE TCB SVN, if any.
    public var minimumTeeTcbSvn: String?
    /// TCB statuses accepted.
    public var acceptedTcbStatuses: [String]

    /// Creates a policy section.
    public init(
        mrtd: [String],
        rtmr: [[String]],
        mrConfigID: String?,
        mrOwner: String?,
        rejectDebug: Bool,
        minimumTeeTcbSvn: String?,
        acceptedTcbStatuses: [String]
    ) {
        self.mrtd = mrtd
        self.rtmr = rtmr
        self.mrConfigID = mrConfigID
        self.mrOwner = mrOwner
        self.rejectDebug = rejectDebug
        self.minimumTeeTcbSvn = minimumTeeTcbSvn
        self.acceptedTcbStatuses = acceptedTcbStatuses
    }
}

/// A GitHub release asset.
public struct ReleaseSpec: Sendable, Hashable {
    /// owner/name.
    public var repository: String
    /// The asset's file name.
    public var asset: String
    /// The tag, or nil for the latest release.
    public var tag: String?
    /// The name to save the asset as.
    public var rename: String?

    /// The devopsdefender release VMs boot unless an environment names another.
    public static let devopsdefender = ReleaseSpec(repository: "devopsdefender/dd", asset: "devopsdefender", tag: nil, rename: nil)
    /// The Cloudflare tunnel connector every VM fetches.
    public static let cloudflared = ReleaseSpec(
        repository: "cloudflare/cloudflared",
        asset: "cloudflared-linux-amd64",
        tag: nil,
        rename: "cloudflared"
    )
}

/// `environments.<name>.controlPlane` as written.
public struct ControlPlaneSpec: Sendable, Hashable {
    /// The machine type, if given.
    public var machineType: Located<String>?
    /// The disk size, if given.
    public var diskGb: Int?
    /// The zone, if given.
    public var zone: String?
}

/// One entry of `environments.<name>.pools` as written.
public struct PoolSpec: Sendable, Hashable {
    /// The pool's name.
    public var name: Located<String>
    /// The VM count, if given.
    public var count: Int?
    /// The machine type, if given.
    public var machineType: Located<String>?
    /// The disk size, if given.
    public var diskGb: Int?
    /// Workload names, if given.
    public var workloads: [Located<String>]?
    /// Zones, if given.
    public var zones: [String]?
    /// Extra labels.
    public var labels: [Located<String>: String]
}

/// `environments.<name>` as written.
public struct EnvironmentSpec: Sendable, Hashable {
    /// The environment's name (its key).
    public var name: Located<String>
    /// The environment it inherits from.
    public var from: Located<String>?
    /// The hostname template, if given; its location points at the template's first character.
    public var hostname: Located<String>?
    /// The release, if given.
    public var release: ReleaseSpec?
    /// The control plane, if given.
    public var controlPlane: ControlPlaneSpec?
    /// The pools, if given.
    public var pools: [PoolSpec]?
    /// Extra labels.
    public var labels: [Located<String>: String]
}

/// `previews`.
public struct PreviewSpec: Sendable, Hashable {
    /// Where `previews:` is written.
    public var location: SourceLocation
    /// Whether previews are on.
    public var enabled: Bool
    /// The hostname template; its location points at the template's first character.
    public var hostname: Located<String>
    /// The environment previews copy.
    public var from: Located<String>
    /// How long a preview lives.
    public var ttl: FleetDuration
    /// The most previews at once.
    public var maximum: Int
}

/// One `env` entry of a workload.
public enum WorkloadVariable: Sendable, Hashable {
    /// `NAME=value`.
    case plain(name: String, value: String, location: SourceLocation)
    /// `{name, secret}`.
    case secret(name: String, reference: SecretReference, location: SourceLocation)

    /// The variable's name.
    public var name: String {
        switch self {
        case .plain(let name, _, _), .secret(let name, _, _): name
        }
    }

    /// Where the entry is written.
    public var location: SourceLocation {
        switch self {
        case .plain(_, _, let location), .secret(_, _, let location): location
        }
    }
}

/// A port published under its own hostname.
public struct ExposeSpec: Sendable, Hashable {
    /// Appended to the VM's hostname.
    public var hostnameLabel: Located<String>
    /// The local port.
    public var port: Int
}

/// `workloads.<name>`.
public struct WorkloadSpec: Sendable, Hashable {
    /// The workload's key.
    public var name: Located<String>
    /// EasyEnclave's app name (the key when not given).
    public var appName: String
    /// The release asset to fetch, if any.
    public var githubRelease: ReleaseSpec?
    /// The command, if any.
    public var command: [String]?
    /// The environment variables.
    public var variables: [WorkloadVariable]
    /// Whether the process gets a terminal.
    public var tty: Bool
    /// Published ports.
    public var expose: [ExposeSpec]
}
