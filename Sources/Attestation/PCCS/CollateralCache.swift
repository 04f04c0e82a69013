import Foundation
import Synchronization

/// Collateral from a PCCS, cached per platform (FMSPC and PCK CA) while it is current.
///
/// Only collateral that verifies to the trust anchor, now, for the platform asked about is
/// served. An entry is served until the earliest end of its items (`nextUpdate`), CRLs and
/// signing certificates, or until it is ``maximumAge`` old, whichever comes first (so a new revocation reaches the
/// fleet within that age). Concurrent asks for one platform share one fetch. A failed fetch is
/// remembered for ``failureHold`` so a registration flood does not hammer an unreachable PCCS;
/// it is never cached as collateral, and the next ask after the hold fetches again. At most
/// ``capacity`` platforms are remembered. Callers ask only for quotes whose PCK chain verified,
/// so the platforms are Intel's (or the simulated authority's). Times come
/// from the callers (the verifier's clock), so tests need no sleeps. Safe to share.
public final class CollateralCache: CollateralSource {
    private typealias Fetched = (bundle: CollateralBundle, until: Date)

    private enum Entry {
        case current(CollateralBundle, until: Date)
        case fetching(Task<Fetched, any Error>)
        case failed(CollateralUnavailable, until: Date)
    }

    private let fetch: @Sendable (PCKPlatform, Date) async throws -> Fetched
    private let entries = Mutex<[PCKPlatform: Entry]>([:])
    /// The longest an entry is served, whatever its `nextUpdate`.
    public let maximumAge: TimeInterval
    /// How long a failed fetch is answered from memory.
    public let failureHold: TimeInterval

    /// The most platforms remembered; past it, failures and stale entries are dropped first.
    public let capacity: Int

    /// A cache over `client`, whose collateral must verify to `trustAnchor` to be served.
    public init(client: PCCSClient, trustAnchor: TrustAnchor, maximumAge: TimeInterval = 3600, failureHold: TimeInterval = 5, capacity: Int = 64) {
        self.maximumAge = maximumAge
        self.failureHold = failureHold
        self.capacity = max(capacity, 1)
        self.fetch = { platform, time in
            let bundle: CollateralBundle
            do {
                bundle = try await client.collateral(fmspc: platform.fmspc, ca: platform.ca)
            } catch {
                throw CollateralUnavailable(message: "no collateral for \(platform) from the PCCS: \(error)")
            }
            return (bundle, try await Self.usableUntil(bundle, platform: platform, anchor: trustAnchor, at: time, maximumAge: maximumAge))
        }
    }

    /// How many platforms have current collateral cached.
    public var count: Int {
        self.entries.withLock { entries in
            entries.values.count { if case .current = $0 { true } else { false } }
        }
    }

    public func collateral(for quote: TDXQuote, at time: Date) async throws(CollateralUnavailable) -> CollateralBundle {
        let platform = try PCKPlatform(of: quote)
        let task: Task<Fetched, any Error>
        switch self.lookUp(platform, at: time) {
        case .current(let bundle, _): return bundle
        case .failed(let error, _): throw error
        case .fetching(let pending): task = pending
        }
        do {
            let fetched = try await task.value
            self.settle(platform, task: task, as: .current(fetched.bundle, until: fetched.until))
            return fetched.bundle
        } catch {
            let unavailable = error as? CollateralUnavailable ?? CollateralUnavailable(message: "\(error)")
            self.settle(platform, task: task, as: .failed(unavailable, until: time.addingTimeInterval(self.failureHold)))
            throw unavailable
        }
    }

    /// The entry to answer from: a current bundle, a remembered failure, or a fetch in flight
    /// (started now when there is nothing usable).
    private func lookUp(_ platform: PCKPlatform, at time: Date) -> Entry {
        self.entries.withLock { entries in
            switch entries[platform] {
            case .current(let bundle, let until) where time < until: return .current(bundle, until: until)
            case .failed(let error, let until) where time < until: return .failed(error, until: until)
            case .fetching(let task): return .fetching(task)
            default:
                if entries.count >= self.capacity { Self.prune(&entries, at: time) }
                let fetch = self.fetch
                let task = Task { try await fetch(platform, time) }
                entries[platform] = .fetching(task)
                return .fetching(task)
            }
        }
    }

    /// Makes room: drops failures and entries no longer current, then, if that freed nothing,
    /// everything but the fetches in flight.
    private static func prune(_ entries: inout [PCKPlatform: Entry], at time: Date) {
        let before = entries.count
        entries = entries.filter { _, entry in
            switch entry {
            case .fetching: true
            case .current(_, let until): time < until
            case .failed: false
            }
        }
        if entries.count == before { entries = entries.filter { if case .fetching = $0.value { true } else { false } } }
    }

    /// Records the outcome of `task`, unless a newer fetch has replaced it meanwhile.
    private func settle(_ platform: PCKPlatform, task: Task<Fetched, any Error>, as outcome: Entry) {
        self.entries.withLock { entries in
            guard case .fetching(let current) = entries[platform], current == task else { return }
            entries[platform] = outcome
        }
    }

    /// Until when `bundle` may be served: it must verify now (signatures, issuer chains, CRLs,
    /// every item current) and be for `platform`'s FMSPC; it is served until the earliest of its
    /// items' and certificates' ends, or for `maximumAge`. Anything else is the PCCS's problem,
    /// which may pass — unavailable, not a verdict on the peer.
    static func usableUntil(
        _ bundle: CollateralBundle,
        platform: PCKPlatform,
        anchor: TrustAnchor,
        at time: Date,
        maximumAge: TimeInterval
    ) async throws(CollateralUnavailable) -> Date {
        switch await CollateralVerifier.verify(bundle, anchor: anchor, at: time) {
        case .failure(let reason):
            throw CollateralUnavailable(message: "the PCCS served collateral for \(platform) that is not usable now: \(reason)")
        case .success(let verified):
            guard verified.tcbInfo.fmspc.lowercased() == platform.fmspc else {
                throw CollateralUnavailable(message: "the PCCS served TCB Info for FMSPC \(verified.tcbInfo.fmspc) when asked for \(platform)")
            }
            return min(verified.window.notAfter, time.addingTimeInterval(maximumAge))
        }
    }
}
