extension BootEnvironment {
    /// The name of a boot variable. Every name starts with ``prefix``.
    public struct Key: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        /// What every boot variable's name starts with.
        public static let prefix = "DD_"

        /// The fleet's name.
        public static let fleet = Key(rawValue: "DD_FLEET")
        /// The environment the VM serves.
        public static let environment = Key(rawValue: "DD_ENV")
        /// The fleet's owner (`metadata.owner`).
        public static let owner = Key(rawValue: "DD_OWNER")
        /// The Cloudflare zone's domain.
        public static let domain = Key(rawValue: "DD_DOMAIN")
        /// The Cloudflare account (control planes).
        public static let cloudflareAccountID = Key(rawValue: "DD_CF_ACCOUNT_ID")
        /// The Cloudflare zone (control planes).
        public static let cloudflareZoneID = Key(rawValue: "DD_CF_ZONE_ID")
        /// The Cloudflare API token's variable (named by ``secretEnvironment``, never rendered).
        public static let cloudflareAPIToken = Key(rawValue: "DD_CF_API_TOKEN")
        /// The names of the secrets the workload expects, comma-separated; values come later.
        public static let secretEnvironment = Key(rawValue: "DD_SECRET_ENV")
        /// The agent's pool.
        public static let pool = Key(rawValue: "DD_POOL")
        /// The control plane's HTTPS URL.
        public static let controlPlaneURL = Key(rawValue: "DD_CP_URL")
        /// The control plane's registration WebSocket URL.
        public static let registerURL = Key(rawValue: "DD_REGISTER_URL")
        /// What the control plane must prove it runs (the fleet's attestation policy, base64url).
        public static let controlPlanePolicy = Key(rawValue: "DD_CP_POLICY")
        /// The PCCS base URL peers' collateral comes from (`attestation.pccs`), when set.
        public static let pccs = Key(rawValue: "DD_PCCS_URL")
        /// Exposed ports, `label:port` comma-separated.
        public static let extraIngress = Key(rawValue: "DD_EXTRA_INGRESS")
        /// The VM's own name.
        public static let vmName = Key(rawValue: "DD_VM_NAME")
        /// The VM's hostname.
        public static let hostname = Key(rawValue: "DD_HOSTNAME")

        /// The variable's name.
        public var rawValue: String

        /// Wraps a variable name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// A name written as a literal (`"DD_VM_NAME"`).
        public init(stringLiteral value: String) {
            self.init(rawValue: value)
        }

        /// The name.
        public var description: String { self.rawValue }
    }
}
