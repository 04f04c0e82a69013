import Foundation
import Synchronization

/// Collateral from a PCCS, cached per platform (FMSPC and PCK CA) while it is current.
///
/// An entry is served until the earliest `nextUpdate` of its TCB Info, QE Identity and CRLs, or
/// until it is ``maximumAge`` old, whichever comes first (so a new revocation reaches the
/// fleet within that age). Concurrent asks for one platform share one fetch. A failed fetch is
/// remembered for ``failureHold`` so a registration flood does not hammer an unreachable PCCS;
/// it is never cached as collateral, and the next ask after the hold fetches again. Times come
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

    /// A cache over `client`.
    public init(client: PCCSClient, maximumAge: TimeInterval = 3600, failureHold: TimeInterval = 5) {
        self.maximumAge = maximumAge
        self.failureHold = failureHold
        self.fetch = { platform, time in
            let bundle: CollateralBundle
            do {
                bundle = try await client.collateral(fmspc: platform.fmspc, ca: platform.ca)
            } catch {
                throw CollateralUnavailable(message: "no collateral for \(platform) from the PCCS: \(error)")
            }
            let until = try Self.currentUntil(bundle, platform: platform, at: time)
            return (bundle, min(until, time.addingTimeInterval(maximumAge)))
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
                let fetch = self.fetch
                let task = Task { try await fetch(platform, time) }
                entries[platform] = .fetching(task)
                return .fetching(task)
            }
        }
    }

    /// Records the outcome of `task`, unless a newer fetch has replaced it meanwhile.
    private func settle(_ platform: PCKPlatform, task: Task<Fetched, any Error>, as outcome: Entry) {
        self.entries.withLock { entries in
            guard case .fetching(let current) = entries[platform], current == task else { return }
            entries[platform] = outcome
        }
    }

    /// The moment `bundle` stops being current: the earliest next update of its TCB Info, QE
    /// Identity and CRLs. Throws when it is not current at `time` (a PCCS serving stale or
    /// unreadable collateral is a PCCS problem, which may pass).
    static func currentUntil(_ bundle: CollateralBundle, platform: PCKPlatform, at time: Date) throws(CollateralUnavailable) -> Date {
        let nextUpdates: [Date]
        do {
            let tcbInfo = try TCBInfo(json: try CollateralJSON.parse(bundle.tcbInfo.utf8))
            let qeIdentity = try QEIdentity(json: try CollateralJSON.parse(bundle.qeIdentity.utf8))
            let crls = try [bundle.rootCACRL, bundle.pckCRL].map { try CertificateRevocationList(derEncoded: $0).nextUpdate }
            nextUpdates = [CivilTime.parseRFC3339(tcbInfo.nextUpdate), CivilTime.parseRFC3339(qeIdentity.nextUpdate)].compactMap { $0 } + crls
            guard nextUpdates.count == 4 else { throw CollateralUnavailable(message: "its nextUpdate dates are not RFC 3339") }
        } catch {
            throw CollateralUnavailable(message: "the PCCS served unreadable collateral for \(platform): \(error)")
        }
        let until = nextUpdates.min() ?? time
        guard time < until else {
            throw CollateralUnavailable(
                message: "the PCCS served collateral for \(platform) that expired at \(CivilTime.formatRFC3339(until)); it must refresh it from Intel"
            )
        }
        return until
    }
}
