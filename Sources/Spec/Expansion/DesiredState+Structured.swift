extension DesiredState {
    /// The version of the rendered desired-state document.
    public static let formatVersion = 1

    /// The desired state as an ordered document, for `devopsdefender render`. Only `environments`
    /// are kept when `environment` names one.
    public func structured(environment: String? = nil) -> StructuredValue {
        let selected = self.environments.filter { environment == nil || $0.name == environment }
        return .object([
            ("formatVersion", .integer(Self.formatVersion)),
            ("fleet", .string(self.fleet)),
            ("environments", .array(selected.map(\.structured))),
        ])
    }
}

extension DesiredEnvironment {
    /// The environment as an ordered document.
    public var structured: StructuredValue {
        .object([
            ("name", .string(self.name)),
            ("kind", .string(self.kind.rawValue)),
            ("previewNumber", self.previewNumber.map(StructuredValue.integer)),
            ("ttlSeconds", self.ttlSeconds.map(StructuredValue.integer)),
            ("hostname", .string(self.hostname)),
            ("vms", .array(self.vms.map(\.structured))),
            ("tunnels", .array(self.tunnels.map(\.structured))),
            (
                "dnsRecords",
                .array(
                    self.dnsRecords.map { record in
                        .object([
                            ("name", .string(record.name)),
                            ("type", .string("CNAME")),
                            ("target", .string("tunnel:\(record.tunnel)")),
                            ("proxied", .boolean(true)),
                            ("comment", .string(record.comment)),
                        ])
                    }
                )
            ),
        ])
    }
}

extension DesiredVM {
    /// The VM as an ordered document; `boots` spells out `metadata.ee-config` for readers.
    public var structured: StructuredValue {
        .object([
            ("name", .string(self.name)),
            ("role", .string(self.role == .controlPlane ? "control-plane" : "agent")),
            ("pool", .string(self.pool)),
            ("slot", .integer(self.slot)),
            ("generation", .string(self.generation)),
            ("zone", .string(self.zone)),
            ("machineType", .string(self.machineType)),
            ("diskGb", .integer(self.diskGb)),
            ("confidentialInstanceType", .string("TDX")),
            ("image", .object([("family", .string(self.image.family)), ("project", .string(self.image.project))])),
            ("network", .string(self.network)),
            ("subnetwork", StructuredValue.optional(self.subnetwork)),
            ("serviceAccount", StructuredValue.optional(self.serviceAccount)),
            ("hostname", .string(self.hostname)),
            ("labels", .sortedStrings(self.labels)),
            ("boots", .array(self.eeConfig.bootWorkloads.map(\.structured))),
            ("metadata", .object([("ee-config", .string(self.eeConfig.metadataValue))])),
        ])
    }
}

extension DesiredTunnel {
    /// The tunnel as an ordered document.
    public var structured: StructuredValue {
        .object([
            ("name", .string(self.name)),
            ("vm", .string(self.vm)),
            (
                "ingress",
                .array(
                    self.ingress.map { rule in
                        .object([("hostname", StructuredValue.optional(rule.hostname)), ("service", .string(rule.service))])
                    }
                )
            ),
        ])
    }
}
