import Attestation
import Synchronization

/// The control plane's collateral caches, one per PCCS URL, kept across fleet revisions (a
/// revision that names the same PCCS keeps its cached collateral).
final class CollateralCaches: Sendable {
    private let caches = Mutex<[String: CollateralCache]>([:])

    /// The cache for `url`, made by `make` the first time (nil for no URL, after `make` had its
    /// say: it logs that no TCB status is judged).
    func cache(for url: String?, make: (String?) throws -> CollateralCache?) throws -> CollateralCache? {
        guard let url, !url.isEmpty else { return try make(nil) }
        if let cached = self.caches.withLock({ $0[url] }) { return cached }
        guard let made = try make(url) else { return nil }
        return self.caches.withLock { caches in
            if let raced = caches[url] { return raced }
            caches[url] = made
            return made
        }
    }
}
