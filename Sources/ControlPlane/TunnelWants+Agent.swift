import Reconciler
import Spec

extension TunnelWants {
    /// What the spec wants for an agent `vm` whose workloads expose no ports, as the expander
    /// makes it: the agent's hostname to its service port, the catch-all, and the hostname's
    /// record. For tests and benchmarks that register VMs no fleet file names.
    public static func agent(_ vm: String, fleet: String, environment: String, domain: String) -> TunnelWants {
        let hostname = "\(vm).\(domain)"
        return TunnelWants(
            tunnel: DesiredTunnel(
                name: vm,
                vm: vm,
                ingress: [IngressRule(hostname: hostname, service: "http://localhost:\(FleetExpander.servicePort)"), .catchAll]
            ),
            records: [
                DesiredDNSRecord(name: hostname, tunnel: vm, comment: OwnershipComment(fleet: fleet, environment: environment).rendered)
            ],
            hostname: hostname
        )
    }
}
