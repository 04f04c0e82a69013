/// How many VMs a fleet file may expand to. A small file can ask for a great deal (1,000 pools of
/// 500 VMs, inherited by a second environment, is a million VMs in 41 KB); these limits refuse it
/// at validation, before anything is expanded, and so bound what `plan` and the daemon hold in
/// memory. Each pool is already capped at ``FleetSchema/maximumPoolCount``.
public struct ExpansionLimits: Sendable, Hashable {
    /// The most VMs one long-lived environment may hold, its control plane included.
    public var maximumVMsPerEnvironment: Int
    /// The most VMs all previews together may hold at `previews.max`.
    public var maximumPreviewVMs: Int
    /// The most VMs the whole fleet may hold: every long-lived environment plus every preview at
    /// `previews.max`.
    public var maximumVMsPerFleet: Int

    /// Creates limits; the defaults allow the 10,000-VM environment the benchmarks plan.
    public init(maximumVMsPerEnvironment: Int = 10_000, maximumPreviewVMs: Int = 5_000, maximumVMsPerFleet: Int = 25_000) {
        self.maximumVMsPerEnvironment = maximumVMsPerEnvironment
        self.maximumPreviewVMs = maximumPreviewVMs
        self.maximumVMsPerFleet = maximumVMsPerFleet
    }

    /// Reports every limit `environments` (resolved) and `previews` break.
    func check(_ environments: [ResolvedEnvironment], previews: PreviewSpec?, diagnostics: inout DiagnosticCollector) {
        var total = 0
        var fleetReported = false
        for environment in environments {
            let vms = Self.vms(in: environment)
            if vms > self.maximumVMsPerEnvironment {
                diagnostics.error(
                    .expansionLimit,
                    "environment '\(environment.name)' expands to \(vms) VMs (\(Self.largestPools(of: environment))); "
                        + "an environment may hold at most \(self.maximumVMsPerEnvironment)",
                    hint: "lower the pools' counts, or split the environment (inherited pools count too)",
                    at: environment.location
                )
            }
            total += vms
            if total > self.maximumVMsPerFleet, !fleetReported {
                fleetReported = true
                diagnostics.error(
                    .expansionLimit,
                    "with environment '\(environment.name)' the fleet holds \(total) VMs; a fleet may hold at most \(self.maximumVMsPerFleet)",
                    hint: "lower the pools' counts, or split the fleet into several fleet files",
                    at: environment.location
                )
            }
        }
        guard let previews, previews.enabled, let template = environments.first(where: { $0.name == previews.from.value }) else { return }
        self.checkPreviews(previews, template: template, longLived: total, fleetReported: fleetReported, diagnostics: &diagnostics)
    }

    private func checkPreviews(
        _ previews: PreviewSpec,
        template: ResolvedEnvironment,
        longLived: Int,
        fleetReported: Bool,
        diagnostics: inout DiagnosticCollector
    ) {
        let perPreview = Self.vms(in: template)
        let vms = previews.maximum * perPreview
        if vms > self.maximumPreviewVMs {
            diagnostics.error(
                .expansionLimit,
                "\(previews.maximum) previews of environment '\(template.name)' (\(perPreview) VMs each) would hold \(vms) VMs; "
                    + "previews may hold at most \(self.maximumPreviewVMs)",
                hint: "lower `previews.max`, or copy a smaller environment with `previews.from`",
                at: previews.location
            )
        } else if !fleetReported, longLived + vms > self.maximumVMsPerFleet {
            diagnostics.error(
                .expansionLimit,
                "with \(previews.maximum) previews the fleet would hold \(longLived + vms) VMs; a fleet may hold at most \(self.maximumVMsPerFleet)",
                hint: "lower `previews.max`, or the long-lived environments' pool counts",
                at: previews.location
            )
        }
    }

    /// The control plane and every pool's VMs.
    private static func vms(in environment: ResolvedEnvironment) -> Int {
        environment.pools.reduce(1) { $0 + $1.count }
    }

    /// `1,000 pools, the largest 'p0' with 500 VMs`.
    private static func largestPools(of environment: ResolvedEnvironment) -> String {
        let pools = environment.pools.count == 1 ? "1 pool" : "\(environment.pools.count) pools"
        guard let largest = environment.pools.max(by: { $0.count < $1.count }) else { return pools }
        return "\(pools), the largest '\(largest.name)' with \(largest.count) VMs"
    }
}
