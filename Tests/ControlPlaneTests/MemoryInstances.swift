import Reconciler

/// Instances held in memory, or a lookup that fails (a provider outage).
struct MemoryInstances: InstanceDirectoryPort {
    struct Outage: Error {}
    var instances: [String: InstanceFacts]
    var failing = false

    func instance(zone: String, name: String) async throws -> InstanceFacts? {
        if self.failing { throw Outage() }
        return self.instances["\(zone)/\(name)"]
    }
}
