import Spec
import Synchronization

/// An ingress cache in memory (tests, one-off runs).
public final class MemoryIngressCache: IngressCache {
    private let entries = Mutex<[String: CachedIngress]>([:])

    /// An empty cache.
    public init() {}

    public func cachedIngress(for tunnelIDs: [String]) -> [String: CachedIngress] {
        self.entries.withLock { entries in
            var found: [String: CachedIngress] = [:]
            for id in tunnelIDs { found[id] = entries[id] }
            return found
        }
    }

    public func storeIngress(_ rules: [IngressRule], tunnelID: String, at time: Int64) {
        self.entries.withLock { $0[tunnelID] = CachedIngress(rules: rules, verifiedAt: time) }
    }
}
