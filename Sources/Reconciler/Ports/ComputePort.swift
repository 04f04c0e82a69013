import Spec

/// What the reconciler needs from a compute provider (GCE). Narrow on purpose: the consumer
/// defines the interface; `GCEProvider` conforms.
public protocol ComputePort: Sendable {
    /// Every instance labelled `dd-fleet=<fleet>`, in every zone, in one bulk list. Throws when
    /// the list is not known to be complete.
    func listInstances(fleet: String) async throws -> [ObservedVM]
    /// Creates the instance and waits until it exists. `requestID` makes a repeat harmless.
    /// Adopts an existing instance of that name when it carries the same `dd-fleet` label.
    func createInstance(_ vm: DesiredVM, requestID: String) async throws -> ApplyOutcome
    /// Replaces the instance's labels.
    func setLabels(zone: String, name: String, labels: [String: String]) async throws
    /// Sets one metadata attribute, keeping the others.
    func setMetadata(zone: String, name: String, key: String, value: String) async throws
    /// Starts a stopped instance.
    func start(zone: String, name: String, requestID: String) async throws
    /// Deletes the instance and waits until it is gone; an instance already gone is success.
    func deleteInstance(zone: String, name: String, requestID: String) async throws -> ApplyOutcome
}

/// How a mutation ended.
public enum ApplyOutcome: String, Sendable, Hashable {
    /// The call did it.
    case done
    /// It was already so (an object of ours found by its deterministic name, or already gone).
    case adopted
}
