import Spec

/// Remembers tunnels' ingress between runs. Cloudflare has no bulk read of tunnel
/// configurations — one call per tunnel — so a large fleet verifies a rotating share per run
/// (the least recently verified first) and takes the rest from here. Ingress only ever drives
/// in-place updates, never deletions, so a cached value can delay a repair, never cause harm.
/// A port (the SQLite store keeps it beside the journal); `async` for the same reason as
/// ``IntentJournal``.
public protocol IngressCache: Sendable {
    /// The cached entries for these tunnel ids.
    func cachedIngress(for tunnelIDs: [String]) async -> [String: CachedIngress]
    /// Records a tunnel's ingress.
    func storeIngress(_ rules: [IngressRule], tunnelID: String, at time: Int64) async
}
