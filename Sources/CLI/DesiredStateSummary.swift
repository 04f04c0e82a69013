import Spec

/// A compact, human-readable view of a desired state: per environment, each VM with its pool,
/// machine, zone, hostname and what it boots; then the tunnel and DNS counts.
enum DesiredStateSummary {
    static func render(_ environments: [DesiredEnvironment], color: Bool) -> String {
        func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
        func dim(_ text: String) -> String { color ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
        var output = ""
        for environment in environments {
            var title = "\(environment.name) (\(environment.kind.rawValue)"
            if let ttl = environment.ttlSeconds { title += ", expires \(ttl / 3600)h after its last update" }
            title += ") — https://\(environment.hostname)"
            output += bold(title) + "\n"
            let nameWidth = environment.vms.map(\.name.count).max() ?? 0
            let poolWidth = environment.vms.map(\.pool.count).max() ?? 0
            for vm in environment.vms {
                let boots = vm.eeConfig.bootWorkloads.map { workload in
                    workload.appName == "devopsdefender" ? "devopsdefender \(workload.command?.last ?? "")" : workload.appName
                }
                output += "  " + vm.pool.padding(poolWidth) + "  " + vm.name.padding(nameWidth) + "  "
                output += "\(vm.machineType) \(vm.diskGb)GB \(vm.zone)\n"
                output +=
                    "  " + String(repeating: " ", count: poolWidth + 2) + dim("↳ \(vm.hostname)  boots: \(boots.joined(separator: ", "))") + "\n"
            }
            let exposed = environment.dnsRecords.count - environment.tunnels.count
            output += "  \(environment.tunnels.count) tunnels, \(environment.dnsRecords.count) DNS records"
            output += exposed > 0 ? " (\(exposed) for exposed ports)\n\n" : "\n\n"
        }
        let vms = environments.reduce(0) { $0 + $1.vms.count }
        output += bold("\(environments.count) environments, \(vms) VMs") + "\n"
        return output
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
