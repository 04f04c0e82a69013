import ProviderSupport
import Reconciler

/// The control plane's instance lookups, answered by GCE's `instances.get`.
public struct GCEInstanceDirectory: InstanceDirectoryPort {
    /// The client asked.
    public var client: GCEClient<ContinuousClock>

    /// Looks instances up through `client`.
    public init(client: GCEClient<ContinuousClock>) {
        self.client = client
    }

    public func instance(zone: String, name: String) async throws -> InstanceFacts? {
        do {
            let instance = try await self.client.instance(zone: zone, name: name)
            return InstanceFacts(id: instance.id ?? "", status: VMStatus(gceStatus: instance.status), labels: instance.labels ?? [:])
        } catch let error as ProviderError where error.code == .notFound {
            return nil
        }
    }
}
