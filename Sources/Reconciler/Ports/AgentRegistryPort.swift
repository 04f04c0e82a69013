/// The control plane's registry of attested agents.
public protocol AgentRegistryPort: Sendable {
    /// Every registered agent with its health.
    func listAgents() async throws -> [ObservedAgent]
}

/// A registry with no agents: what the reconciler sees before any agent has registered, or
/// where no control plane runs yet.
public struct EmptyAgentRegistry: AgentRegistryPort {
    /// Creates the empty registry.
    public init() {}

    /// No agents.
    public func listAgents() async throws -> [ObservedAgent] { [] }
}
