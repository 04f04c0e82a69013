import Synchronization

/// The VM names whose registration is in flight: claimed at the verdict, released once the agent
/// is recorded or the attempt fails. One claim per name, so TDs claiming one VM at the same time
/// cannot all be handed its tunnel token: the first holds the claim, the others are refused
/// (`registration-in-progress`, retryable) and find the name registered when they retry.
/// Shared by every handler of one control plane, across fleet revisions.
public final class RegistrationClaims: Sendable {
    private let names = Mutex<Set<String>>([])

    /// No claims.
    public init() {}

    /// Claims `vm`; false when a registration of it is in flight already.
    public func claim(_ vm: String) -> Bool {
        self.names.withLock { $0.insert(vm).inserted }
    }

    /// Ends the claim on `vm`.
    public func release(_ vm: String) {
        _ = self.names.withLock { $0.remove(vm) }
    }

    /// Whether a registration of `vm` is in flight.
    public func isClaimed(_ vm: String) -> Bool {
        self.names.withLock { $0.contains(vm) }
    }
}
