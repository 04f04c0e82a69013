/// The semantic checks of a fleet — references, inheritance, hostnames, names, secrets — and the
/// resolution of `from:` inheritance and defaults into a ``ResolvedFleet``.
struct FleetResolver {
    private let spec: FleetSpec
    private let limits: ExpansionLimits
    private var diagnostics: DiagnosticCollector
    private let environmentsByName: [String: EnvironmentSpec]
    private let workloadsByName: [String: WorkloadSpec]
    private var resolved: [String: ResolvedEnvironment] = [:]
    /// Environments already reported as part of an inheritance cycle or with a bad `from:`.
    private var unresolvable: Set<String> = []

    static let defaultMachineType = "c3-standard-4"
    static let defaultControlPlaneDisk = 10
    static let defaultPoolDisk = 20
    static let hostnameVariables = ["env", "fleet", "domain"]
    static let previewHostnameVariables = ["number", "env", "fleet", "domain"]

    private init(spec: FleetSpec, limits: ExpansionLimits, diagnostics: DiagnosticCollector) {
        self.spec = spec
        self.limits = limits
        self.diagnostics = diagnostics
        self.environmentsByName = Dictionary(spec.environments.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
        self.workloadsByName = Dictionary(spec.workloads.map { ($0.name.value, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks `spec` and resolves it; the result is nil when any error was reported.
    static func resolve(
        _ spec: FleetSpec,
        file: String,
        limits: ExpansionLimits = ExpansionLimits(),
        diagnostics: inout DiagnosticCollector
    ) -> ResolvedFleet? {
        var resolver = FleetResolver(spec: spec, limits: limits, diagnostics: diagnostics)
        let environments = resolver.run()
        diagnostics = resolver.diagnostics
        guard !diagnostics.hasErrors else { return nil }
        return ResolvedFleet(file: file, spec: spec, environments: environments, workloads: resolver.workloadsByName)
    }

    private mutating func run() -> [ResolvedEnvironment] {
        self.checkLabels(self.spec.metadata.labels)
        self.checkWorkloads()
        self.checkInheritance()
        var environments: [ResolvedEnvironment] = []
        for environment in self.spec.environments {
            if let resolved = self.resolveEnvironment(environment.name.value) {
                environments.append(resolved)
            }
        }
        self.checkHostnameCollisions(environments)
        self.checkPreviews()
        self.limits.check(environments, previews: self.spec.previews, diagnostics: &self.diagnostics)
        self.checkUnusedWorkloads(environments)
        return environments
    }

    // MARK: Inheritance

    /// Reports undefined `from:` targets and cycles, once per environment.
    private mutating func checkInheritance() {
        let names = self.spec.environments.map(\.name.value)
        for environment in self.spec.environments {
            guard let from = environment.from else { continue }
            if self.environmentsByName[from.value] == nil {
                self.diagnostics.error(
                    .undefinedEnvironment,
                    "environment '\(environment.name.value)' inherits from '\(from.value)', which is not defined"
                        + Suggestion.phrase(for: from.value, among: names),
                    hint: "defined environments: \(names.joined(separator: ", "))",
                    at: from.location
                )
                self.unresolvable.insert(environment.name.value)
                continue
            }
            // Walk the chain; a revisit of the start is a cycle.
            var chain = [environment.name.value]
            var current = from.value
            while let next = self.environmentsByName[current] {
                if current == environment.name.value {
                    self.diagnostics.error(
                        .inheritanceCycle,
                        "environment '\(environment.name.value)' inherits from itself: \((chain + [current]).joined(separator: " → "))",
                        hint: "break the cycle: one environment in it must not use `from:`",
                        at: from.location
                    )
                    self.unresolvable.insert(environment.name.value)
                    break
                }
                if chain.contains(current) { break }  // a cycle further up; reported there
                chain.append(current)
                guard let nextFrom = next.from?.value else { break }
                current = nextFrom
            }
        }
    }

    /// The fully merged environment, or nil when it cannot be resolved.
    private mutating func resolveEnvironment(_ name: String) -> ResolvedEnvironment? {
        if let done = self.resolved[name] { return done }
        guard !self.unresolvable.contains(name), let environment = self.environmentsByName[name] else { return nil }
        var parent: ResolvedEnvironment?
        if let from = environment.from {
            guard let inherited = self.resolveEnvironment(from.value) else {
                self.unresolvable.insert(name)
                return nil
            }
            parent = inherited
        }
        let result = self.merge(environment, onto: parent)
        self.resolved[name] = result
        return result
    }

    private mutating func merge(_ environment: EnvironmentSpec, onto parent: ResolvedEnvironment?) -> ResolvedEnvironment {
        let name = environment.name.value
        let controlPlane = self.mergeControlPlane(environment.controlPlane, onto: parent?.controlPlane)
        self.checkLabels(environment.labels)
        var labels = parent?.labels ?? self.plainLabels(self.spec.metadata.labels)
        labels.merge(self.plainLabels(environment.labels)) { _, new in new }
        let pools = self.mergePools(environment.pools ?? [], onto: parent?.pools ?? [], environment: name)
        let template = environment.hostname?.value ?? "{env}.{domain}"
        let hostnameLocation = environment.hostname?.location ?? environment.name.location
        let hostname = self.renderHostname(
            template,
            at: environment.hostname == nil ? nil : hostnameLocation,
            variables: Self.hostnameVariables,
            values: ["env": name],
            reportAt: hostnameLocation
        )
        return ResolvedEnvironment(
            name: name,
            hostnameTemplate: template,
            hostname: hostname,
            release: environment.release ?? parent?.release ?? .devopsdefender,
            controlPlane: controlPlane,
            pools: pools,
            labels: labels,
            location: environment.name.location
        )
    }

    private mutating func mergeControlPlane(_ plane: ControlPlaneSpec?, onto parent: ResolvedControlPlane?) -> ResolvedControlPlane {
        if let machineType = plane?.machineType { self.checkTDXMachineType(machineType) }
        return ResolvedControlPlane(
            machineType: plane?.machineType?.value ?? parent?.machineType ?? Self.defaultMachineType,
            diskGb: plane?.diskGb ?? parent?.diskGb ?? Self.defaultControlPlaneDisk,
            zone: plane?.zone ?? parent?.zone ?? self.spec.gce.zones.first ?? ""
        )
    }

    /// Pools merge by name: inherited pools first, overridden field by field; new ones after.
    /// Pools of count 0 are dropped.
    private mutating func mergePools(_ specs: [PoolSpec], onto inherited: [ResolvedPool], environment: String) -> [ResolvedPool] {
        var pools = inherited
        var seen: [String: SourceLocation] = [:]
        for pool in specs {
            if let earlier = seen[pool.name.value] {
                self.diagnostics.error(
                    .duplicateName,
                    "environment '\(environment)' has two pools named '\(pool.name.value)' (the first at \(earlier))",
                    hint: "give each pool its own name",
                    at: pool.name.location
                )
                continue
            }
            seen[pool.name.value] = pool.name.location
            let index = pools.firstIndex { $0.name == pool.name.value }
            guard let merged = self.mergePool(pool, onto: index.map { pools[$0] }, environment: environment) else { continue }
            if let index {
                pools[index] = merged
            } else {
                pools.append(merged)
            }
            self.checkPoolNames(merged, workloads: pool.workloads, environment: environment, at: pool.name.location)
        }
        pools.removeAll { $0.count == 0 }
        return pools
    }

    /// One pool over the inherited one of its name; nil (after reporting) when it has no count.
    private mutating func mergePool(_ pool: PoolSpec, onto base: ResolvedPool?, environment: String) -> ResolvedPool? {
        if pool.name.value == ResourceNaming.controlPlanePool {
            self.diagnostics.error(
                .invalidName,
                "the pool name 'cp' is reserved for control planes",
                hint: "choose another name, like 'default' or 'web'",
                at: pool.name.location
            )
        }
        if let machineType = pool.machineType { self.checkTDXMachineType(machineType) }
        self.checkLabels(pool.labels)
        guard let count = pool.count ?? base?.count else {
            self.diagnostics.error(
                .missingField,
                "pool '\(pool.name.value)' of environment '\(environment)' has no count",
                hint: "add `count:` with how many VMs the pool runs",
                at: pool.name.location
            )
            return nil
        }
        self.checkWorkloadReferences(of: pool)
        var poolLabels = base?.labels ?? [:]
        poolLabels.merge(self.plainLabels(pool.labels)) { _, new in new }
        return ResolvedPool(
            name: pool.name.value,
            count: count,
            machineType: pool.machineType?.value ?? base?.machineType ?? Self.defaultMachineType,
            diskGb: pool.diskGb ?? base?.diskGb ?? Self.defaultPoolDisk,
            workloads: pool.workloads?.map(\.value) ?? base?.workloads ?? [],
            zones: pool.zones ?? base?.zones ?? self.spec.gce.zones,
            labels: poolLabels
        )
    }

    private mutating func checkWorkloadReferences(of pool: PoolSpec) {
        for reference in pool.workloads ?? [] where self.workloadsByName[reference.value] == nil {
            let names = self.spec.workloads.map(\.name.value)
            self.diagnostics.error(
                .undefinedWorkload,
                "pool '\(pool.name.value)' runs workload '\(reference.value)', which is not defined under `workloads`"
                    + Suggestion.phrase(for: reference.value, among: names),
                hint: names.isEmpty ? "define it under `workloads:`" : "defined workloads: \(names.joined(separator: ", "))",
                at: reference.location
            )
        }
    }

    // MARK: Names

    private mutating func checkPoolNames(_ pool: ResolvedPool, workloads: [Located<String>]?, environment: String, at location: SourceLocation) {
        let prefix = self.spec.metadata.namePrefix
        let longest = ResourceNaming.longestAgentName(prefix: prefix, environment: environment, pool: pool.name, count: pool.count)
        if longest > ResourceNaming.maximumNameLength {
            self.diagnostics.error(
                .nameTooLong,
                "VM names of pool '\(pool.name)' in environment '\(environment)' would be \(longest) characters; GCE allows \(ResourceNaming.maximumNameLength)",
                hint: "shorten the environment or pool name (names are {prefix}-{env}-{pool}-{slot}-{8-hex generation})",
                at: location
            )
            return
        }
        // Apps and exposed labels must be unique on one VM.
        var apps: [String: String] = [:]
        var labels: [String: String] = [:]
        for name in pool.workloads {
            guard let workload = self.workloadsByName[name] else { continue }
            let reference = workloads?.first { $0.value == name }?.location ?? location
            if let other = apps[workload.appName] {
                self.diagnostics.error(
                    .duplicateName,
                    "pool '\(pool.name)' runs workloads '\(other)' and '\(name)', which share the app name '\(workload.appName)'",
                    hint: "give one of them its own `app_name`",
                    at: reference
                )
            }
            apps[workload.appName] = name
            for expose in workload.expose {
                let label = expose.hostnameLabel.value
                if let other = labels[label] {
                    self.diagnostics.error(
                        .duplicateName,
                        "pool '\(pool.name)' exposes the hostname label '\(label)' twice (workloads '\(other)' and '\(name)')",
                        hint: "give each exposed port its own `hostname_label`",
                        at: reference
                    )
                }
                labels[label] = name
                if expose.port == FleetExpander.servicePort {
                    self.diagnostics.error(
                        .invalidValue,
                        "workload '\(name)' exposes port \(expose.port), the agent's own port on every VM (the VM's hostname reaches it)",
                        hint: "listen on another port and expose that",
                        at: expose.hostnameLabel.location
                    )
                }
                let length = longest + 1 + label.count
                if length > ResourceNaming.maximumNameLength {
                    self.diagnostics.error(
                        .nameTooLong,
                        "the exposed hostname label '{vm}-\(label)' would be \(length) characters in pool '\(pool.name)'; DNS allows 63",
                        hint: "shorten the hostname label, pool or environment name",
                        at: expose.hostnameLabel.location
                    )
                }
            }
        }
    }

    private mutating func checkLabels(_ labels: [Located<String>: String]) {
        for key in labels.keys.sorted(by: { $0.location < $1.location }) where LabelKey.isManaged(key.value) {
            self.diagnostics.error(
                .invalidName,
                "the label key '\(key.value)' uses the reserved prefix 'dd-'",
                hint: "labels starting with dd- carry the fleet's ownership marks; choose another key",
                at: key.location
            )
        }
    }

    private func plainLabels(_ labels: [Located<String>: String]) -> [String: String] {
        Dictionary(labels.map { ($0.key.value, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    private mutating func checkTDXMachineType(_ machineType: Located<String>) {
        guard !machineType.value.hasPrefix("c3-") else { return }
        self.diagnostics.warning(
            .tdxMachineType,
            "machine type '\(machineType.value)' is not in the C3 series, the only one GCE offers Intel TDX on",
            hint: "use a c3-standard-* machine type, or GCE will refuse to create the VM",
            at: machineType.location
        )
    }

    // MARK: Hostnames

    /// Renders a template with `{fleet}` and `{domain}` plus `values`, reporting unknown variables
    /// (at their own column when the template's location is known) and hostnames that are not
    /// valid or not inside the domain.
    private mutating func renderHostname(
        _ template: String,
        at templateLocation: SourceLocation?,
        variables allowed: [String],
        values: [String: String],
        reportAt location: SourceLocation
    ) -> String {
        let parsed = HostnameTemplate(template)
        var unknown = false
        for variable in parsed.variables where !allowed.contains(variable.name) {
            unknown = true
            self.diagnostics.error(
                .unknownTemplateVariable,
                "unknown variable '{\(variable.name)}' in hostname template '\(template)'"
                    + Suggestion.phrase(for: variable.name, among: allowed),
                hint: "this template may use \(allowed.map { "{\($0)}" }.joined(separator: ", "))",
                at: templateLocation?.advanced(by: variable.offset) ?? location
            )
        }
        var allValues = values
        allValues["fleet"] = self.spec.metadata.name
        allValues["domain"] = self.spec.cloudflare.domain
        let hostname = parsed.render(allValues)
        guard !unknown, !self.spec.cloudflare.domain.isEmpty else { return hostname }
        let domain = self.spec.cloudflare.domain
        if !DNSName.isValid(hostname) {
            self.diagnostics.error(
                .invalidHostname,
                "hostname '\(hostname)' (from '\(template)') is not a valid DNS name",
                hint: "use lowercase letters, digits and '-' in dot-separated labels of at most 63 characters",
                at: location
            )
        } else if hostname != domain && !hostname.hasSuffix("." + domain) {
            self.diagnostics.error(
                .hostnameOutsideDomain,
                "hostname '\(hostname)' is outside the Cloudflare zone's domain '\(domain)'",
                hint: "end the template with .{domain}",
                at: location
            )
        } else if hostname.dropLast(domain.count + 1).contains(".") {
            self.diagnostics.warning(
                .hostnameDepth,
                "hostname '\(hostname)' is more than one level below '\(domain)'; Cloudflare's Universal SSL certificate does not cover it",
                hint: "use a single label, like app-staging.{domain}, or order an advanced certificate",
                at: location
            )
        }
        return hostname
    }

    private mutating func checkHostnameCollisions(_ environments: [ResolvedEnvironment]) {
        var owners: [String: String] = [:]
        for environment in environments {
            if let other = owners[environment.hostname] {
                let written = self.environmentsByName[environment.name]?.hostname?.location ?? environment.location
                self.diagnostics.error(
                    .hostnameCollision,
                    "environments '\(other)' and '\(environment.name)' both claim the hostname '\(environment.hostname)'",
                    hint: "give '\(environment.name)' its own `hostname:`",
                    at: written
                )
            } else {
                owners[environment.hostname] = environment.name
            }
        }
    }

    // MARK: Previews

    private mutating func checkPreviews() {
        guard let previews = self.spec.previews else { return }
        let names = self.spec.environments.map(\.name.value)
        if !previews.from.value.isEmpty, self.environmentsByName[previews.from.value] == nil {
            self.diagnostics.error(
                .undefinedEnvironment,
                "previews copy environment '\(previews.from.value)', which is not defined"
                    + Suggestion.phrase(for: previews.from.value, among: names),
                hint: "defined environments: \(names.joined(separator: ", "))",
                at: previews.from.location
            )
        }
        let template = HostnameTemplate(previews.hostname.value)
        if !template.variables.contains(where: { $0.name == "number" }) {
            self.diagnostics.error(
                .hostnameCollision,
                "the preview hostname template '\(previews.hostname.value)' has no {number}, so every preview would claim the same hostname",
                hint: "include {number}, like pr-{number}.{domain}",
                at: previews.hostname.location
            )
            return
        }
        _ = self.renderHostname(
            previews.hostname.value,
            at: previews.hostname.location,
            variables: Self.previewHostnameVariables,
            values: ["number": "1", "env": PreviewNumber(rawValue: 1).environment],
            reportAt: previews.hostname.location
        )
    }

    // MARK: Workloads

    private mutating func checkWorkloads() {
        for workload in self.spec.workloads {
            if workload.command == nil && workload.githubRelease == nil {
                self.diagnostics.error(
                    .missingField,
                    "workload '\(workload.name.value)' has neither `cmd` nor `github_release`, so it would do nothing",
                    hint: "add `cmd:` to run something, or `github_release:` to fetch a file",
                    at: workload.name.location
                )
            }
            var seen: [String: SourceLocation] = [:]
            for variable in workload.variables {
                if let earlier = seen[variable.name] {
                    self.diagnostics.error(
                        .duplicateName,
                        "workload '\(workload.name.value)' sets \(variable.name) twice (first at \(earlier))",
                        hint: "keep one of them",
                        at: variable.location
                    )
                }
                seen[variable.name] = variable.location
                if case .plain(let name, let value, let location) = variable, SecretHeuristics.looksSecret(name: name, value: value) {
                    self.diagnostics.error(
                        .secretLiteral,
                        "workload '\(workload.name.value)' sets \(name) to what looks like a literal secret",
                        hint: "write `{name: \(name), secret: {env: VARIABLE}}`; the value is delivered after attestation, never in VM metadata",
                        at: location,
                        redactsSource: true
                    )
                }
            }
        }
    }

    private mutating func checkUnusedWorkloads(_ environments: [ResolvedEnvironment]) {
        let used = Set(environments.flatMap { $0.pools.flatMap(\.workloads) })
        for workload in self.spec.workloads where !used.contains(workload.name.value) {
            self.diagnostics.warning(
                .unusedWorkload,
                "workload '\(workload.name.value)' is defined but no pool runs it",
                hint: "add it to a pool's `workloads:`, or remove it",
                at: workload.name.location
            )
        }
    }
}
