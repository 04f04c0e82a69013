import Crypto
import Encoding
import Spec

extension ObservedState {
    /// A digest of everything the planner reads from this observation (names, ids, labels,
    /// `ee-config`, ingress, records, source completeness), but not of what changes on its own
    /// (VM boot progress, tunnel connections, agent heartbeats). A saved plan records it; apply
    /// refuses the plan when a fresh observation digests differently.
    public var digest: String {
        var hasher = SHA256()
        func add(_ text: String) {
            hasher.update(data: Array(text.utf8))
            hasher.update(data: [0])
        }
        for source in self.sources { add("\(source.name.rawValue)=\(source.complete)") }
        for vm in self.vms.sorted(by: { ($0.name, $0.zone) < ($1.name, $1.zone) }) {
            add("vm \(vm.name) \(vm.zone) stopped=\(vm.isStopped)")
            for (key, value) in Normalization.labels(vm.labels).sorted(by: { $0.key < $1.key }) { add("label \(key)=\(value)") }
            add("ee-config \(vm.eeConfig ?? "-")")
        }
        for tunnel in self.tunnels.sorted(by: { $0.id < $1.id }) {
            add("tunnel \(tunnel.id) \(tunnel.name)")
            for rule in Normalization.ingress(tunnel.ingress ?? []) { add("ingress \(rule.hostname ?? "*") \(rule.service)") }
        }
        for record in self.dnsRecords.sorted(by: { $0.id < $1.id }) {
            add("dns \(record.id) \(Normalization.dnsName(record.name)) \(record.type) \(record.content) \(record.proxied) \(record.comment ?? "")")
        }
        return Hex.encode(hasher.finalize())
    }
}
