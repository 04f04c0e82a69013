import Synchronization

/// The registration handler a server uses, swappable while it runs: a control plane that reads
/// its fleet file from git has none until the first revision is accepted, and gets a new one
/// (same key, registry and journal) whenever another is. Requests read it once each.
public final class RegistrationSlot<C: Clock>: Sendable where C.Duration == Duration {
    private let handler: Mutex<RegistrationHandler<C>?>

    /// A slot holding `handler` (nil: registration waits for one).
    public init(_ handler: RegistrationHandler<C>? = nil) {
        self.handler = Mutex(handler)
    }

    /// The handler now; nil while registration waits for a fleet file.
    public var current: RegistrationHandler<C>? { self.handler.withLock { $0 } }

    /// Puts `handler` in place for the requests that follow.
    public func install(_ handler: RegistrationHandler<C>) { self.handler.withLock { $0 = handler } }
}
