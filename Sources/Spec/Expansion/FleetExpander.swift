import Crypto
import Encoding

/// Expands a resolved fleet and the open pull-request previews into a ``DesiredState``: every VM
/// with its deterministic name, labels and `ee-config`, every tunnel with its ingress, every DNS
/// record. A pure function: the same input gives byte-identical output.
public enum FleetExpander {
    /// The local port the devopsdefender agent and control plane serve on behind the tunnel.
    public static let servicePort = 8080

    /// Expands `fleet` with previews for the pull requests `previews`. Returns nil after reporting
    /// why a preview cannot be made.
    public static func expand(
        _ fleet: ResolvedFleet,
        previews: [Int] = [],
        diagnostics: inout DiagnosticCollector
    ) -> DesiredState? {
        var environments = fleet.environments.map { self.expand($0, fleet: fleet, kind: .persistent, preview: nil) }
        let numbers = Array(Set(previews)).sorted()
        if !numbers.isEmpty {
            guard let previewEnvironments = self.previewEnvironments(fleet, numbers: numbers, diagnostics: &diagnostics) else {
                return nil
            }
            environments += previewEnvironments.map { environment, number in
                self.expand(environment, fleet: fleet, kind: .preview, preview: number)
            }
        }
        return DesiredState(fleet: fleet.spec.metadata.name, environments: environments)
    }

    private static func previewEnvironments(
        _ fleet: ResolvedFleet,
        numbers: [Int],
        diagnostics: inout DiagnosticCollector
    ) -> [(ResolvedEnvironment, Int)]? {
        guard let spec = fleet.spec.previews, spec.enabled else {
            diagnostics.error(
                .previewRejected,
                "previews were requested (\(numbers.map { "#\($0)" }.joined(separator: ", "))) but the fleet does not enable them",
                hint: "set `previews: {enabled: true, from: <environment>}`",
                at: fleet.spec.previews?.location
            )
            return nil
        }
        if let bad = numbers.first(where: { $0 < 1 || $0 > 999_999 }) {
            diagnostics.error(.previewRejected, "preview number \(bad) is not a pull-request number (1 to 999999)", at: nil)
            return nil
        }
        if numbers.count > spec.maximum {
            diagnostics.error(
                .previewRejected,
                "\(numbers.count) previews were requested; the fleet allows at most \(spec.maximum) at once",
                hint: "close some previews, or raise `previews.max`",
                at: spec.location
            )
            return nil
        }
        guard let template = fleet.environment(named: spec.from.value) else { return nil }
        let taken = Dictionary(fleet.environments.map { ($0.hostname, $0.name) }, uniquingKeysWith: { first, _ in first })
        var result: [(ResolvedEnvironment, Int)] = []
        for number in numbers {
            var environment = template
            environment.name = PreviewNumber(rawValue: number).environment
            environment.hostnameTemplate = spec.hostname.value
            environment.hostname = HostnameTemplate(spec.hostname.value).render([
                "number": String(number), "env": environment.name, "fleet": fleet.spec.metadata.name,
                "domain": fleet.spec.cloudflare.domain,
            ])
            if let owner = taken[environment.hostname] {
                diagnostics.error(
                    .hostnameCollision,
                    "preview #\(number) would claim '\(environment.hostname)', the hostname of environment '\(owner)'",
                    hint: "change the preview hostname template so it cannot match a long-lived environment",
                    at: spec.hostname.location
                )
                return nil
            }
            result.append((environment, number))
        }
        return result
    }

    private static func expand(
        _ environment: ResolvedEnvironment,
        fleet: ResolvedFleet,
        kind: DesiredEnvironment.Kind,
        preview: Int?
    ) -> DesiredEnvironment {
        let spec = fleet.spec
        let controlPlane = self.controlPlane(environment, fleet: fleet)
        var vms = [controlPlane.vm]
        var tunnels = [controlPlane.tunnel]
        for pool in environment.pools {
            let agents = self.agents(pool, environment: environment, fleet: fleet)
            vms += agents.map(\.vm)
            tunnels += agents.map(\.tunnel)
        }
        let comment = OwnershipComment(fleet: spec.metadata.name, environment: environment.name).rendered
        let records = tunnels.flatMap { tunnel in
            tunnel.ingress.compactMap { rule in
                rule.hostname.map { DesiredDNSRecord(name: $0, tunnel: tunnel.name, comment: comment) }
            }
        }
        return DesiredEnvironment(
            name: environment.name,
            kind: kind,
            previewNumber: preview,
            ttlSeconds: kind == .preview ? spec.previews?.ttl.seconds : nil,
            hostname: environment.hostname,
            vms: vms,
            tunnels: tunnels,
            dnsRecords: records
        )
    }

    /// The environment's control plane and its tunnel.
    private static func controlPlane(_ environment: ResolvedEnvironment, fleet: ResolvedFleet) -> (vm: DesiredVM, tunnel: DesiredTunnel) {
        let workloads = [self.connectorWorkload, self.controlPlaneWorkload(environment, fleet: fleet)]
        let generation = self.generation(
            fleet: fleet,
            environment: environment,
            pool: ResourceNaming.controlPlanePool,
            machineType: environment.controlPlane.machineType,
            diskGb: environment.controlPlane.diskGb,
            zones: [environment.controlPlane.zone],
            labels: environment.labels,
            workloads: workloads
        )
        let name = ResourceNaming.controlPlaneVM(prefix: fleet.spec.metadata.namePrefix, environment: environment.name, generation: generation.short)
        let vm = self.vm(
            name: name,
            role: .controlPlane,
            pool: ResourceNaming.controlPlanePool,
            slot: 0,
            generation: generation,
            zone: environment.controlPlane.zone,
            machineType: environment.controlPlane.machineType,
            diskGb: environment.controlPlane.diskGb,
            labels: environment.labels,
            hostname: environment.hostname,
            workloads: workloads.map { self.personalise($0, vm: name, hostname: environment.hostname) },
            environment: environment,
            fleet: fleet
        )
        let tunnel = DesiredTunnel(
            name: name,
            vm: name,
            ingress: [IngressRule(hostname: environment.hostname, service: "http://localhost:\(self.servicePort)"), .catchAll]
        )
        return (vm, tunnel)
    }

    /// A pool's agents, slot by slot, each with its tunnel.
    private static func agents(
        _ pool: ResolvedPool,
        environment: ResolvedEnvironment,
        fleet: ResolvedFleet
    ) -> [(vm: DesiredVM, tunnel: DesiredTunnel)] {
        let workloads = pool.workloads.compactMap { fleet.workloads[$0] }
        let template =
            [self.connectorWorkload, self.agentWorkload(environment, pool: pool, workloads: workloads, fleet: fleet)]
            + workloads.map(self.bootWorkload)
        let labels = environment.labels.merging(pool.labels) { _, new in new }
        let generation = self.generation(
            fleet: fleet,
            environment: environment,
            pool: pool.name,
            machineType: pool.machineType,
            diskGb: pool.diskGb,
            zones: pool.zones,
            labels: labels,
            workloads: template
        )
        let domain = fleet.spec.cloudflare.domain
        return (0..<pool.count).map { slot in
            let name = ResourceNaming.agentVM(
                prefix: fleet.spec.metadata.namePrefix,
                environment: environment.name,
                pool: pool.name,
                slot: slot,
                generation: generation.short
            )
            let hostname = "\(name).\(domain)"
            let vm = self.vm(
                name: name,
                role: .agent,
                pool: pool.name,
                slot: slot,
                generation: generation,
                zone: pool.zones.isEmpty ? "" : pool.zones[slot % pool.zones.count],
                machineType: pool.machineType,
                diskGb: pool.diskGb,
                labels: labels,
                hostname: hostname,
                workloads: template.map { self.personalise($0, vm: name, hostname: hostname) },
                environment: environment,
                fleet: fleet
            )
            let ingress = self.agentIngress(vm: name, hostname: hostname, workloads: workloads, domain: domain)
            return (vm, DesiredTunnel(name: name, vm: name, ingress: ingress))
        }
    }

    /// The agent itself, then each exposed port of its workloads, then the catch-all.
    private static func agentIngress(vm: String, hostname: String, workloads: [WorkloadSpec], domain: String) -> [IngressRule] {
        var ingress = [IngressRule(hostname: hostname, service: "http://localhost:\(self.servicePort)")]
        for workload in workloads {
            for expose in workload.expose {
                let label = ResourceNaming.exposedLabel(vm: vm, label: expose.hostnameLabel.value)
                ingress.append(IngressRule(hostname: "\(label).\(domain)", service: "http://localhost:\(expose.port)"))
            }
        }
        ingress.append(.catchAll)
        return ingress
    }

    // MARK: Boot workloads

    /// cloudflared, fetched so the agent can supervise it.
    static let connectorWorkload = BootWorkload(
        appName: "cloudflared",
        command: nil,
        environment: [],
        tty: false,
        githubRelease: .cloudflared
    )

    private static func commonVariables(_ environment: ResolvedEnvironment, fleet: ResolvedFleet) -> BootEnvironment {
        var variables = BootEnvironment([
            .fleet: fleet.spec.metadata.name,
            .environment: environment.name,
            .owner: fleet.spec.metadata.owner,
            .domain: fleet.spec.cloudflare.domain,
        ])
        // Where both sides of a registration get the collateral that judges TCB status.
        if let pccs = fleet.spec.pccs { variables.append(.pccs, pccs) }
        return variables
    }

    private static func controlPlaneWorkload(_ environment: ResolvedEnvironment, fleet: ResolvedFleet) -> BootWorkload {
        var variables = self.commonVariables(environment, fleet: fleet)
        variables += BootEnvironment([
            .cloudflareAccountID: fleet.spec.cloudflare.accountID,
            .cloudflareZoneID: fleet.spec.cloudflare.zoneID,
            .secretEnvironment: BootEnvironment.Key.cloudflareAPIToken.rawValue,
        ])
        return BootWorkload(
            appName: "devopsdefender",
            command: ["devopsdefender", "control-plane"],
            environment: variables.rendered,
            tty: false,
            githubRelease: environment.release
        )
    }

    private static func agentWorkload(
        _ environment: ResolvedEnvironment,
        pool: ResolvedPool,
        workloads: [WorkloadSpec],
        fleet: ResolvedFleet
    ) -> BootWorkload {
        var variables = self.commonVariables(environment, fleet: fleet)
        variables += BootEnvironment([
            .pool: pool.name,
            .controlPlaneURL: "https://\(environment.hostname)",
            .registerURL: "wss://\(environment.hostname)/register",
            // What the control plane must prove it runs: the agent checks its quote against this.
            .controlPlanePolicy: fleet.spec.attestation.environmentValue,
        ])
        let exposed = workloads.flatMap { $0.expose.map { "\($0.hostnameLabel.value):\($0.port)" } }
        if !exposed.isEmpty { variables.append(.extraIngress, exposed.joined(separator: ",")) }
        // Secret values are delivered by the control plane after attestation; only names travel here.
        let secrets = workloads.flatMap { workload in
            workload.variables.compactMap { variable -> String? in
                guard case .secret(let name, _, _) = variable else { return nil }
                return "\(workload.appName)/\(name)"
            }
        }
        if !secrets.isEmpty { variables.append(.secretEnvironment, secrets.joined(separator: ",")) }
        return BootWorkload(
            appName: "devopsdefender",
            command: ["devopsdefender", "agent"],
            environment: variables.rendered,
            tty: false,
            githubRelease: environment.release
        )
    }

    private static func bootWorkload(_ workload: WorkloadSpec) -> BootWorkload {
        BootWorkload(
            appName: workload.appName,
            command: workload.command,
            environment: workload.variables.compactMap { variable in
                guard case .plain(let name, let value, _) = variable else { return nil }
                return "\(name)=\(value)"
            },
            tty: workload.tty,
            githubRelease: workload.githubRelease
        )
    }

    /// Adds the VM's own name and hostname to the devopsdefender workload.
    private static func personalise(_ workload: BootWorkload, vm: String, hostname: String) -> BootWorkload {
        guard workload.appName == "devopsdefender", workload.command?.first == "devopsdefender" else { return workload }
        var personalised = workload
        personalised.environment += BootEnvironment([.vmName: vm, .hostname: hostname]).rendered
        return personalised
    }

    // MARK: Identity

    struct Generation {
        /// The SHA-256 of the pool's canonical configuration, hex.
        var digest: String
        /// Its first characters, used in names.
        var short: String { String(self.digest.prefix(ResourceNaming.generationLength)) }
        /// The `dd-spec` label value.
        var label: String { String(self.digest.prefix(16)) }
    }

    /// Hashes everything that, when changed, requires new VMs: machine, disk, zones, image,
    /// network, labels, release, and the boot workloads (before per-VM names are added).
    private static func generation(
        fleet: ResolvedFleet,
        environment: ResolvedEnvironment,
        pool: String,
        machineType: String,
        diskGb: Int,
        zones: [String],
        labels: [String: String],
        workloads: [BootWorkload]
    ) -> Generation {
        let gce = fleet.spec.gce
        let canonical = StructuredValue.object([
            ("fleet", .string(fleet.spec.metadata.name)),
            ("owner", .string(fleet.spec.metadata.owner)),
            ("env", .string(environment.name)),
            ("hostname", .string(environment.hostname)),
            ("pool", .string(pool)),
            ("machineType", .string(machineType)),
            ("diskGb", .integer(diskGb)),
            ("zones", .array(zones.map(StructuredValue.string))),
            ("image", .object([("family", .string(gce.image.family)), ("project", .string(gce.image.project))])),
            ("network", .string(gce.network)),
            ("subnetwork", StructuredValue.optional(gce.subnetwork)),
            ("serviceAccount", StructuredValue.optional(gce.serviceAccount)),
            ("labels", .sortedStrings(labels)),
            ("workloads", .array(workloads.map(\.structured))),
        ]).json()
        let digest = SHA256.hash(data: Array(canonical.utf8))
        return Generation(digest: Hex.encode(digest))
    }

    private static func vm(
        name: String,
        role: DesiredVM.Role,
        pool: String,
        slot: Int,
        generation: Generation,
        zone: String,
        machineType: String,
        diskGb: Int,
        labels: [String: String],
        hostname: String,
        workloads: [BootWorkload],
        environment: ResolvedEnvironment,
        fleet: ResolvedFleet
    ) -> DesiredVM {
        var allLabels = labels
        allLabels[label: .fleet] = fleet.spec.metadata.name
        allLabels[label: .environment] = environment.name
        allLabels[label: .role] = role.rawValue
        allLabels[label: .pool] = pool
        allLabels[label: .spec] = generation.label
        let gce = fleet.spec.gce
        return DesiredVM(
            name: name,
            role: role,
            pool: pool,
            slot: slot,
            generation: generation.short,
            zone: zone,
            machineType: machineType,
            diskGb: diskGb,
            image: gce.image,
            network: gce.network,
            subnetwork: gce.subnetwork,
            serviceAccount: gce.serviceAccount,
            labels: allLabels,
            hostname: hostname,
            eeConfig: EEConfig(owner: fleet.spec.metadata.owner, bootWorkloads: workloads)
        )
    }
}

extension IngressRule {
    /// The last rule of every tunnel: anything else gets a 404.
    public static let catchAll = IngressRule(hostname: nil, service: "http_status:404")
}
