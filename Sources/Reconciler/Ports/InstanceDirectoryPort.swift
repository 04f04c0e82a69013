/// What the control plane asks the compute provider about the VM a registering agent names:
/// narrow on purpose (the consumer defines the interface; `GCEProvider` conforms).
public protocol InstanceDirectoryPort: Sendable {
    /// The instance `name` in `zone`, or nil when there is none.
    func instance(zone: String, name: String) async throws -> InstanceFacts?
}

/// The facts about one instance that registration checks.
public struct InstanceFacts: Sendable, Hashable {
    /// The provider's numeric instance id, as a string.
    public var id: String
    /// The status as the provider reports it.
    public var status: VMStatus
    /// The instance's labels.
    public var labels: [String: String]

    /// Creates the facts.
    public init(id: String, status: VMStatus, labels: [String: String]) {
        self.id = id
        self.status = status
        self.labels = labels
    }
}
