/// The fleet spec, version 1: every field, its type, whether it is required, its default and what
/// it does. `docs/fleet-spec.md` explains the same fields in prose.
public enum FleetSchema {
    /// The only `apiVersion` this build reads.
    public static let apiVersion = "devopsdefender.com/v1"
    /// The only `kind`.
    public static let kind = "Fleet"
    /// TCB statuses a policy may accept (Intel's names).
    public static let tcbStatuses = [
        "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate",
        "OutOfDateConfigurationNeeded",
    ]
    /// The most VMs one pool may ask for.
    public static let maximumPoolCount = 500

    /// The whole document.
    public static let root = SchemaObject(
        "Fleet",
        summary: "A fleet of Intel TDX confidential VMs: its environments, previews and workloads.",
        fields: [
            SchemaField("apiVersion", .string(allowed: [apiVersion]), required: true, "The spec version; always \(apiVersion)."),
            SchemaField("kind", .string(allowed: [kind]), required: true, "Always \(kind)."),
            SchemaField("metadata", .object(metadata), required: true, "Who the fleet is and who owns it."),
            SchemaField("providers", .object(providers), required: true, "The GCE project and the Cloudflare zone the fleet lives in."),
            SchemaField("attestation", .object(attestation), required: true, "What a VM must prove before it gets a tunnel."),
            SchemaField(
                "environments",
                .dictionary(keys: .environmentName, values: .object(environment)),
                required: true,
                "The long-lived environments (production, staging, …), by name."
            ),
            SchemaField("previews", .object(previews), "Short-lived environments for pull requests."),
            SchemaField("workloads", .dictionary(keys: .workloadName, values: .object(workload)), "The workloads pools run, by name."),
        ]
    )

    static let metadata = SchemaObject(
        summary: "Who the fleet is and who owns it.",
        fields: [
            SchemaField(
                "name",
                .string(rule: .label("a fleet name", maximumLength: 40)),
                required: true,
                "The fleet's name; stamped on every resource as the dd-fleet label and in DNS record comments."
            ),
            SchemaField("owner", .object(owner), required: true, "Who owns the fleet; becomes EasyEnclave's EE_OWNER."),
            SchemaField(
                "namePrefix",
                .string(rule: .label("a name prefix", maximumLength: 10)),
                default: "dd",
                "The first part of every VM and tunnel name; give two fleets sharing a GCE project different prefixes."
            ),
            SchemaField("labels", labels, "Extra GCE labels for every VM of the fleet."),
        ]
    )

    static let owner = SchemaObject(
        summary: "The owning GitHub account.",
        fields: [SchemaField("github", .string(rule: .githubOwner), required: true, "The GitHub user or organisation that owns the fleet.")]
    )

    static let labels = SchemaType.dictionary(keys: .labelKey, values: .string(rule: .labelValue))

    static let providers = SchemaObject(
        summary: "Where the fleet runs.",
        fields: [
            SchemaField("gce", .object(gce), required: true, "The Google Compute Engine project for the VMs."),
            SchemaField("cloudflare", .object(cloudflare), required: true, "The Cloudflare account and zone for tunnels and DNS."),
        ]
    )

    static let gce = SchemaObject(
        summary: "The Google Compute Engine project.",
        fields: [
            SchemaField("project", .string(rule: .gceProject), required: true, "The GCE project id."),
            SchemaField("zone", .string(rule: .gceZone), "The zone for every VM (or give `zones`)."),
            SchemaField(
                "zones",
                .list(of: .string(rule: .gceZone), minimumCount: 1, maximumCount: 16),
                "Zones to spread VMs over, slot by slot (or give `zone`)."
            ),
            SchemaField("image", .object(image), required: true, "The EasyEnclave boot image."),
            SchemaField("network", .string(rule: .gceResourceName), default: "default", "The VPC network."),
            SchemaField("subnetwork", .string(rule: .gceResourceName), "The subnetwork, when the network has custom subnets."),
            SchemaField("serviceAccount", .string(rule: .serviceAccount), "The service account the VMs run as."),
            SchemaField("credentials", .secretReference, "The service-account key the reconciler uses (else the metadata server)."),
        ],
        exclusiveGroups: [["zone", "zones"]]
    )

    static let image = SchemaObject(
        summary: "An image family in an image project.",
        fields: [
            SchemaField("family", .string(rule: .gceResourceName), required: true, "The image family, like easyenclave-stable."),
            SchemaField("project", .string(rule: .gceProject), required: true, "The project that publishes the family."),
        ]
    )

    static let cloudflare = SchemaObject(
        summary: "The Cloudflare account and zone.",
        fields: [
            SchemaField("accountId", .string(rule: .cloudflareID), required: true, "The account that owns the tunnels."),
            SchemaField("zoneId", .string(rule: .cloudflareID), required: true, "The zone that holds the DNS records."),
            SchemaField("domain", .string(rule: .domain), required: true, "The zone's domain; every hostname lies under it."),
            SchemaField("apiToken", .secretReference, required: true, "The API token, as a reference: {env: NAME} or {file: PATH}."),
        ]
    )

    static let attestation = SchemaObject(
        summary: "What a VM must prove.",
        fields: [
            SchemaField("policy", .object(policy), required: true, "The measurement policy quotes are checked against."),
            SchemaField(
                "pccs",
                .string(rule: .pccsURL),
                "The PCCS (or Intel PCS) base URL collateral comes from: registrations judge TCB status and revocation with it."
            ),
        ]
    )

    static let measurements = SchemaType.list(of: .string(rule: .measurement), minimumCount: 1)

    static let policy = SchemaObject(
        summary: "The TDX measurement policy.",
        fields: [
            SchemaField("mrtd", measurements, required: true, "Allowed MRTD values (the TD's initial contents)."),
            SchemaField("rtmr0", measurements, "Allowed RTMR0 values (firmware); any when absent."),
            SchemaField("rtmr1", measurements, "Allowed RTMR1 values (kernel); any when absent."),
            SchemaField("rtmr2", measurements, "Allowed RTMR2 values (kernel command line and initrd); any when absent."),
            SchemaField("rtmr3", measurements, "Allowed RTMR3 values (runtime); any when absent."),
            SchemaField("mrConfigId", .string(rule: .measurement), "The required MRCONFIGID, when pinned."),
            SchemaField("mrOwner", .string(rule: .measurement), "The required MROWNER, when pinned."),
            SchemaField("rejectDebug", .boolean, default: "true", "Refuse TDs with the DEBUG attribute."),
            SchemaField("minTeeTcbSvn", .string(rule: .teeTcbSvn), "The lowest TEE TCB SVN accepted, compared byte by byte."),
            SchemaField(
                "acceptedTcbStatuses",
                .list(of: .string(allowed: tcbStatuses), minimumCount: 1),
                default: "[UpToDate]",
                "TCB statuses accepted when collateral is checked."
            ),
        ]
    )

    static let release = SchemaObject(
        "GithubRelease",
        summary: "A GitHub release asset.",
        fields: [
            SchemaField("repo", .string(rule: .githubRepository), required: true, "owner/name of the repository."),
            SchemaField("asset", .string(rule: .fileName), required: true, "The asset's file name."),
            SchemaField("tag", .string(rule: .releaseTag), "The release tag; the latest release when absent."),
            SchemaField("rename", .string(rule: .fileName), "The file name to save the asset as."),
        ]
    )

    static let controlPlane = SchemaObject(
        summary: "The environment's control-plane VM.",
        fields: [
            SchemaField("machineType", .string(rule: .machineType), default: "c3-standard-4", "The machine type; TDX needs the C3 series."),
            SchemaField("diskGb", .integer(minimum: 10, maximum: 65_536), default: "10", "The boot disk size in GB."),
            SchemaField("zone", .string(rule: .gceZone), "The zone; the first provider zone when absent."),
        ]
    )

    static let pool = SchemaObject(
        "Pool",
        summary: "A group of identical agent VMs.",
        fields: [
            SchemaField(
                "name",
                .string(rule: .label("a pool name", maximumLength: 20)),
                required: true,
                "The pool's name; unique in its environment."
            ),
            SchemaField(
                "count",
                .integer(minimum: 0, maximum: maximumPoolCount),
                "How many VMs; required unless inherited with `from:`. 0 removes an inherited pool."
            ),
            SchemaField("machineType", .string(rule: .machineType), default: "c3-standard-4", "The machine type; TDX needs the C3 series."),
            SchemaField("diskGb", .integer(minimum: 10, maximum: 65_536), default: "20", "The boot disk size in GB."),
            SchemaField("workloads", .list(of: .string(rule: .workloadName)), default: "[]", "Names of workloads each VM runs."),
            SchemaField("zones", .list(of: .string(rule: .gceZone), minimumCount: 1, maximumCount: 16), "Zones for this pool's VMs."),
            SchemaField("labels", labels, "Extra GCE labels for this pool's VMs."),
        ]
    )

    static let environment = SchemaObject(
        "Environment",
        summary: "A long-lived environment: a control plane and pools of agents.",
        fields: [
            SchemaField("from", .string(rule: .environmentName), "Inherit every field not given here from this environment."),
            SchemaField(
                "hostname",
                .string(rule: .hostnameTemplate),
                default: "{env}.{domain}",
                "The control plane's hostname; variables {env}, {fleet} and {domain}."
            ),
            SchemaField(
                "release",
                .object(release),
                default: "{repo: devopsdefender/dd, asset: devopsdefender}",
                "The devopsdefender release VMs boot."
            ),
            SchemaField("controlPlane", .object(controlPlane), "The control-plane VM."),
            SchemaField("pools", .list(of: .object(pool)), default: "[]", "The agent pools; merged by name with inherited ones."),
            SchemaField("labels", labels, "Extra GCE labels for this environment's VMs."),
        ]
    )

    static let previews = SchemaObject(
        summary: "Pull-request preview environments.",
        fields: [
            SchemaField("enabled", .boolean, default: "false", "Whether pull requests get previews."),
            SchemaField(
                "hostname",
                .string(rule: .hostnameTemplate),
                default: "pr-{number}.{domain}",
                "A preview's hostname; must contain {number}."
            ),
            SchemaField("from", .string(rule: .environmentName), required: true, "The environment previews copy."),
            SchemaField(
                "ttl",
                .string(rule: .duration),
                default: "72h",
                "How long a preview should live after its last update (validated and rendered; not enforced yet: nothing expires a preview)."
            ),
            SchemaField("max", .integer(minimum: 1, maximum: 100), default: "10", "The most previews at once."),
        ]
    )

    static let secretEnvironmentEntry = SchemaObject(
        summary: "An environment variable whose value is a secret.",
        fields: [
            SchemaField("name", .string(rule: .variableName), required: true, "The variable's name."),
            SchemaField("secret", .secretReference, required: true, "Where the value comes from (validated; not delivered to VMs yet)."),
        ]
    )

    static let expose = SchemaObject(
        summary: "A port published under its own hostname.",
        fields: [
            SchemaField(
                "hostname_label",
                .string(rule: .label("a hostname label", maximumLength: 20)),
                required: true,
                "Appended to the VM's hostname: {vm}-{label}.{domain}."
            ),
            SchemaField("port", .integer(minimum: 1, maximum: 65_535), required: true, "The local port to publish."),
        ]
    )

    static let workload = SchemaObject(
        "Workload",
        summary: "An EasyEnclave workload, plus `expose`.",
        fields: [
            SchemaField("app_name", .string(rule: .workloadName), "EasyEnclave's app name; the workload's key when absent."),
            SchemaField("github_release", .object(release), "A release asset to fetch before starting."),
            SchemaField("cmd", .list(of: .string(), minimumCount: 1), "The command and its arguments."),
            SchemaField(
                "env",
                .list(of: .stringOrObject(string: .environmentAssignment, object: secretEnvironmentEntry)),
                default: "[]",
                "Variables as NAME=value, or {name, secret} for secrets."
            ),
            SchemaField("tty", .boolean, default: "false", "Give the process a terminal."),
            SchemaField("expose", .list(of: .object(expose)), default: "[]", "Ports published through the VM's tunnel."),
        ]
    )
}
