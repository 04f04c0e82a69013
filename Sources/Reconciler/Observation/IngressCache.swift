import Spec
import Synchronization

/// A tunnel's ingress as last read (or written) by the reconciler.
public struct CachedIngress: Sendable, Hashable {
    /// The rules.
    public var rules: [IngressRule]
    /// When they were read or written, in seconds since 1970.
    public var verifiedAt: Int64

    /// Creates an entry.
    public init(rules: [IngressRule], verifiedAt: Int64) {
        self.rules = rules
        self.verifiedAt = verifiedAt
    }
}

/// Remembers tunnels' ingress between runs. Cloudflare has no bulk read of tunnel
/// configurations — one call per tunnel — so a large fleet verifies a rotating share per run
/// (the least recently verified first) and takes the rest from here. Ingress only ever drives
/// in-place updates, never deletions, so a cached value can delay a repair, never cause harm.
public protocol IngressCache: Sendable {
    /// The cached entries for these tunnel ids.
    func cachedIngress(for tunnelIDs: [String]) -> [String: CachedIngress]
    /// Records a tunnel's ingress.
    func storeIngress(_ rules: [IngressRule], tunnelID: String, at time: Int64)
}

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
