import Reconciler
import Registration
import Spec

/// Checks that an attested agent is the fleet VM it claims to be, against the compute provider:
/// the instance exists in the zone the fleet file puts it, carries this fleet's and this
/// environment's labels, is running, has the instance id the agent reported, and runs the spec
/// generation the agent reported. A TD with the right measurements running anywhere else — say,
/// the same public image in another project — cannot take a fleet VM's tunnel, not even the
/// tunnel of a VM the reconciler has not created yet.
public struct AgentInstanceCheck: Sendable {
    /// Looks instances up.
    public var directory: any InstanceDirectoryPort
    /// The fleet's name (`dd-fleet` label).
    public var fleet: String
    /// The environment served (`dd-env` label).
    public var environment: String
    /// The zone of every agent VM of the environment, by name.
    public var zones: [String: String]

    /// Creates a check.
    public init(directory: any InstanceDirectoryPort, fleet: String, environment: String, zones: [String: String]) {
        self.directory = directory
        self.fleet = fleet
        self.environment = environment
        self.zones = zones
    }

    /// Why `agent` is not the VM it names, or nil when it is. Throws when the provider cannot be
    /// asked (the agent retries; nothing is refused on a failed lookup).
    public func refusal<C>(for agent: RegistrationVerifier<C>.Accepted) async throws -> RegistrationMessage.Refusal? {
        guard let zone = self.zones[agent.vmName] else {
            return .init(codes: [.unknownVM], message: "\(agent.vmName) is not an agent VM of environment \(self.environment)")
        }
        guard let instance = try await self.directory.instance(zone: zone, name: agent.vmName) else {
            return .init(codes: [.unknownInstance], message: "there is no instance \(agent.vmName) in \(zone)")
        }
        var refusals: [(code: RefusalCode, message: String)] = []
        if instance.labels[label: .fleet] != self.fleet || instance.labels[label: .environment] != self.environment {
            refusals.append(
                (.foreignInstance, "\(agent.vmName) in \(zone) is not labelled as fleet \(self.fleet), environment \(self.environment)")
            )
        }
        if instance.id != agent.instanceID {
            refusals.append((.instanceMismatch, "\(agent.vmName) in \(zone) has another instance id than the agent reported"))
        }
        if instance.status != .running {
            refusals.append((.instanceNotRunning, "\(agent.vmName) in \(zone) is \(instance.status), not \(VMStatus.running)"))
        }
        let generation = ResourceNaming.generation(of: agent.vmName) ?? "none"
        let label = instance.labels[label: .spec] ?? "none"
        if agent.specGeneration != generation || !label.hasPrefix(generation) || generation == "none" {
            refusals.append(
                (
                    .generationMismatch,
                    "the agent reports spec generation \(agent.specGeneration) for \(agent.vmName) (generation \(generation)); the instance's \(LabelKey.spec) label is \(label)"
                )
            )
        }
        guard !refusals.isEmpty else { return nil }
        return .init(codes: refusals.map(\.code), message: refusals.map(\.message).joined(separator: "; "))
    }
}
