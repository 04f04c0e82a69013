/// The `ee-config` GCE metadata value a VM boots with: EasyEnclave reads it from the metadata
/// server in its initrd. Its JSON form is `{"EE_BOOT_WORKLOADS":"<JSON array as a string>",
/// "EE_OWNER":"<owner>"}`, exactly as EasyEnclave expects (the array is a string, not nested JSON).
public struct EEConfig: Sendable, Hashable {
    /// `EE_OWNER`.
    public let owner: String
    /// The workloads EasyEnclave starts at boot, in order.
    public let bootWorkloads: [BootWorkload]
    /// The metadata value: compact JSON with keys in a fixed order. Rendered once, when the
    /// desired state is expanded, because the planner compares it with every VM's metadata.
    public let metadataValue: String

    /// Renders the configuration.
    public init(owner: String, bootWorkloads: [BootWorkload]) {
        self.owner = owner
        self.bootWorkloads = bootWorkloads
        self.metadataValue = StructuredValue.object([
            ("EE_BOOT_WORKLOADS", .string(StructuredValue.array(bootWorkloads.map(\.structured)).json())),
            ("EE_OWNER", .string(owner)),
        ]).json()
    }
}

/// One EasyEnclave workload, in EasyEnclave's own field names.
public struct BootWorkload: Sendable, Hashable {
    /// `app_name`.
    public var appName: String
    /// `cmd`, or nil for a fetch-only workload.
    public var command: [String]?
    /// `env`, as `NAME=value` strings.
    public var environment: [String]
    /// `tty`.
    public var tty: Bool
    /// `github_release`.
    public var githubRelease: ReleaseSpec?

    /// The workload as EasyEnclave's JSON object; optional fields are left out when unset.
    public var structured: StructuredValue {
        .object([
            ("app_name", .string(self.appName)),
            ("cmd", self.command.map { .array($0.map(StructuredValue.string)) }),
            ("env", self.environment.isEmpty ? nil : .array(self.environment.map(StructuredValue.string))),
            ("github_release", self.githubRelease.map(\.structured)),
            ("tty", self.tty ? .boolean(true) : nil),
        ])
    }
}

extension ReleaseSpec {
    /// EasyEnclave's `github_release` object.
    public var structured: StructuredValue {
        .object([
            ("asset", .string(self.asset)),
            ("rename", StructuredValue.optional(self.rename)),
            ("repo", .string(self.repository)),
            ("tag", StructuredValue.optional(self.tag)),
        ])
    }
}
