/// Reads a composed, structurally checked document into a ``FleetSpec``.
///
/// Decoding is lenient: ``SchemaChecker`` has already reported every structural problem, so a
/// field of the wrong type is read as absent here rather than reported twice. That lets the
/// semantic checks still run on everything that is well-formed.
enum FleetSpecDecoder {
    static func decode(_ root: YAMLNode) -> FleetSpec {
        let metadata = root["metadata"]
        let gce = root["providers"]?["gce"]
        let cloudflare = root["providers"]?["cloudflare"]
        let policy = root["attestation"]?["policy"]
        let zones: [String] = gce?["zones"]?.sequence?.compactMap(\.string) ?? (gce?["zone"]?.string).map { [$0] } ?? []
        return FleetSpec(
            metadata: FleetMetadata(
                name: metadata?["name"]?.string ?? "",
                owner: metadata?["owner"]?["github"]?.string ?? "",
                namePrefix: metadata?["namePrefix"]?.string ?? "dd",
                labels: self.labels(metadata?["labels"])
            ),
            gce: GCEProviderSpec(
                project: gce?["project"]?.string ?? "",
                zones: zones,
                image: ImageReference(
                    family: gce?["image"]?["family"]?.string ?? "",
                    project: gce?["image"]?["project"]?.string ?? ""
                ),
                network: gce?["network"]?.string ?? "default",
                subnetwork: gce?["subnetwork"]?.string,
                serviceAccount: gce?["serviceAccount"]?.string,
                credentials: self.secret(gce?["credentials"])
            ),
            cloudflare: CloudflareProviderSpec(
                accountID: cloudflare?["accountId"]?.string ?? "",
                zoneID: cloudflare?["zoneId"]?.string ?? "",
                domain: cloudflare?["domain"]?.string ?? "",
                apiToken: self.secret(cloudflare?["apiToken"])
            ),
            attestation: self.policy(policy),
            pccs: root["attestation"]?["pccs"]?.string,
            environments: (root["environments"]?.mapping ?? []).map(self.environment),
            previews: self.previews(root),
            workloads: (root["workloads"]?.mapping ?? []).map(self.workload)
        )
    }

    /// An `attestation.policy` mapping.
    static func policy(_ policy: YAMLNode?) -> AttestationPolicySpec {
        AttestationPolicySpec(
            mrtd: self.hexList(policy?["mrtd"]),
            rtmr: (0..<4).map { self.hexList(policy?["rtmr\($0)"]) },
            mrConfigID: policy?["mrConfigId"]?.string?.lowercased(),
            mrOwner: policy?["mrOwner"]?.string?.lowercased(),
            rejectDebug: policy?["rejectDebug"]?.boolean ?? true,
            minimumTeeTcbSvn: policy?["minTeeTcbSvn"]?.string?.lowercased(),
            acceptedTcbStatuses: policy?["acceptedTcbStatuses"]?.sequence?.compactMap(\.string) ?? ["UpToDate"]
        )
    }

    /// A string with the location of its first character (past an opening quote).
    private static func locatedString(_ node: YAMLNode?) -> Located<String>? {
        guard let node, let text = node.string, let scalar = node.scalar else { return nil }
        let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
        return Located(text, at: quoted ? node.location.advanced(by: 1) : node.location)
    }

    private static func hexList(_ node: YAMLNode?) -> [String] {
        node?.sequence?.compactMap { $0.string?.lowercased() } ?? []
    }

    private static func labels(_ node: YAMLNode?) -> [Located<String>: String] {
        var labels: [Located<String>: String] = [:]
        for pair in node?.mapping ?? [] {
            if let value = pair.value.string {
                labels[Located(pair.key.text, at: pair.key.location)] = value
            }
        }
        return labels
    }

    static func secret(_ node: YAMLNode?) -> SecretReference? {
        if let name = node?["env"]?.string { return .environment(name) }
        if let path = node?["file"]?.string { return .file(path) }
        return nil
    }

    private static func release(_ node: YAMLNode?) -> ReleaseSpec? {
        guard let node, let repository = node["repo"]?.string, let asset = node["asset"]?.string else { return nil }
        return ReleaseSpec(repository: repository, asset: asset, tag: node["tag"]?.string, rename: node["rename"]?.string)
    }

    private static func environment(_ pair: YAMLPair) -> EnvironmentSpec {
        let node = pair.value
        let controlPlane = node["controlPlane"].flatMap { plane -> ControlPlaneSpec? in
            guard plane.mapping != nil else { return nil }
            return ControlPlaneSpec(
                machineType: self.locatedString(plane["machineType"]),
                diskGb: plane["diskGb"]?.integer,
                zone: plane["zone"]?.string
            )
        }
        return EnvironmentSpec(
            name: Located(pair.key.text, at: pair.key.location),
            from: self.locatedString(node["from"]),
            hostname: self.locatedString(node["hostname"]),
            release: self.release(node["release"]),
            controlPlane: controlPlane,
            pools: node["pools"]?.sequence.map { items in items.compactMap(self.pool) },
            labels: self.labels(node["labels"])
        )
    }

    private static func pool(_ node: YAMLNode) -> PoolSpec? {
        guard node.mapping != nil, let name = self.locatedString(node["name"]) else { return nil }
        return PoolSpec(
            name: name,
            count: node["count"]?.integer,
            machineType: self.locatedString(node["machineType"]),
            diskGb: node["diskGb"]?.integer,
            workloads: node["workloads"]?.sequence.map { items in items.compactMap(self.locatedString) },
            zones: node["zones"]?.sequence?.compactMap(\.string),
            labels: self.labels(node["labels"])
        )
    }

    private static func previews(_ root: YAMLNode) -> PreviewSpec? {
        guard let node = root["previews"], node.mapping != nil else { return nil }
        return PreviewSpec(
            location: node.location,
            enabled: node["enabled"]?.boolean ?? false,
            hostname: self.locatedString(node["hostname"]) ?? Located("pr-{number}.{domain}", at: node.location),
            from: self.locatedString(node["from"]) ?? Located("", at: node.location),
            ttl: node["ttl"]?.string.flatMap(FleetDuration.init(parsing:)) ?? .defaultPreviewTTL,
            maximum: node["max"]?.integer ?? 10
        )
    }

    private static func workload(_ pair: YAMLPair) -> WorkloadSpec {
        let node = pair.value
        let variables: [WorkloadVariable] = (node["env"]?.sequence ?? []).compactMap { entry in
            if let text = entry.string {
                guard let equals = text.firstIndex(of: "=") else { return nil }
                return .plain(name: String(text[..<equals]), value: String(text[text.index(after: equals)...]), location: entry.location)
            }
            guard let name = entry["name"]?.string, let reference = self.secret(entry["secret"]) else { return nil }
            return .secret(name: name, reference: reference, location: entry.location)
        }
        let expose: [ExposeSpec] = (node["expose"]?.sequence ?? []).compactMap { entry in
            guard let label = self.locatedString(entry["hostname_label"]), let port = entry["port"]?.integer else { return nil }
            return ExposeSpec(hostnameLabel: label, port: port)
        }
        return WorkloadSpec(
            name: Located(pair.key.text, at: pair.key.location),
            appName: node["app_name"]?.string ?? pair.key.text,
            githubRelease: self.release(node["github_release"]),
            command: node["cmd"]?.sequence?.compactMap(\.string),
            variables: variables,
            tty: node["tty"]?.boolean ?? false,
            expose: expose
        )
    }
}
