import ServiceLifecycle

/// Tells the daemon's loop when an agent turns stale. The registry judges staleness when it is
/// read, so without this nothing would notice the moment an agent falls silent until the resync
/// timer. It sleeps until the next instant a fresh agent could turn stale (on the registry's
/// clock) and reports the VMs that turned stale since it last looked.
public struct StaleAgentWatch<C: Clock>: Service where C.Duration == Duration {
    private let registry: AgentRegistry<C>
    private let onStale: @Sendable (Set<String>) -> Void

    /// Watches `registry`; `onStale` hears the VMs that turned stale since the last look.
    public init(registry: AgentRegistry<C>, onStale: @escaping @Sendable (Set<String>) -> Void) {
        self.registry = registry
        self.onStale = onStale
    }

    /// Runs until cancelled or until graceful shutdown begins (neither is a failure).
    public func run() async throws {
        do {
            try await self.watch()
        } catch is CancellationError {
            // Shutting down.
        }
    }

    private func watch() async throws {
        try await cancelWhenGracefulShutdown {
            let clock = self.registry.clock
            var lastLook = clock.now
            while !Task.isCancelled {
                let wake = self.registry.nextStaleInstant() ?? clock.now.advanced(by: self.registry.staleAfter)
                try await clock.sleep(until: wake, tolerance: nil)
                let now = clock.now
                let turned = self.registry.vmsTurningStale(after: lastLook, through: now)
                lastLook = now
                if !turned.isEmpty { self.onStale(turned) }
            }
        }
    }
}
