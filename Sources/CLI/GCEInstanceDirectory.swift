import ControlPlane
import GCEProvider
import ProviderSupport

/// The control plane's instance lookups, answered by GCE's `instances.get`.
struct GCEInstanceDirectory: InstanceDirectory {
    var client: GCEClient<ContinuousClock>

    func instance(zone: String, name: String) async throws -> InstanceFacts? {
        do {
            let instance = try await self.client.instance(zone: zone, name: name)
            return InstanceFacts(id: instance.id ?? "", status: instance.status ?? "UNKNOWN", labels: instance.labels ?? [:])
        } catch let error as ProviderError where error.code == .notFound {
            return nil
        }
    }
}
