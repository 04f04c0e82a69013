import Attestation
import AttestationSimulation
import Emulators
import Encoding
import Foundation
import ProviderSupport
import Synchronization
import Testing

/// The PCCS collateral cache the control plane and the agent judge TCB status with: one fetch
/// per platform while the collateral is current, shared by concurrent asks; a refetch once it is
/// too old or past its next update; a failed fetch reported as unavailable (retryable), held
/// briefly, and never cached. Times are passed in, so nothing sleeps.
@Suite("Collateral cache")
struct CollateralCacheTests {
    /// The PCCS emulator on loopback, behind a transport that counts fetches (each starts with the PCK CRL) and can
    /// make the PCCS look down (HTTP 503).
    final class CountingPCCS: CollateralTransport {
        private let http = HTTPTransport()
        private let state = Mutex((fetches: 0, down: false))

        var fetches: Int { self.state.withLock { $0.fetches } }

        func setDown(_ down: Bool) {
            self.state.withLock { $0.down = down }
        }

        func get(_ url: String) async throws -> CollateralHTTPResponse {
            let down = self.state.withLock { state in
                if url.contains("/pckcrl?") { state.fetches += 1 }
                return state.down
            }
            guard !down else { return CollateralHTTPResponse(status: 503, headers: [], body: []) }
            let response = try await self.http.send(method: "GET", url: url)
            return CollateralHTTPResponse(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// Runs `body` with a cache over a PCCS serving `platform`'s collateral (for `fmspc`, by
    /// default the platform's own).
    static func withCache(
        _ platform: SimulatedPlatform,
        fmspc: String? = nil,
        maximumAge: TimeInterval = 3600,
        _ body: @Sendable (CollateralCache, CountingPCCS) async throws -> Void
    ) async throws {
        let emulator = PCCSEmulator(bundle: try platform.collateral(), fmspc: fmspc ?? Hex.encode(platform.authority.platform.fmspc))
        let transport = CountingPCCS()
        try await LoopbackServer.withRunning(emulator.router()) { port in
            let cache = CollateralCache(
                client: PCCSClient(baseURL: "http://127.0.0.1:\(port)", transport: transport),
                trustAnchor: platform.anchor,
                maximumAge: maximumAge
            )
            try await body(cache, transport)
        }
    }

    @Test("one fetch per platform while current: concurrent asks share it, and the bundle verifies")
    func fetchesOnce() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        try await Self.withCache(platform) { cache, pccs in
            let bundles = try await withThrowingTaskGroup(of: CollateralBundle.self) { group in
                for _ in 0..<10 { group.addTask { try await cache.collateral(for: quote, at: SimulatedPlatform.now) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(bundles).count == 1)
            for minute in 1...30 {
                _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now.addingTimeInterval(Double(minute) * 60))
            }
            #expect(pccs.fetches == 1)
            #expect(cache.count == 1)
            let accepted = await platform.verify(quote, collateral: bundles[0]).isAccepted
            #expect(accepted)
        }
    }

    @Test("an entry older than its maximum age is fetched again")
    func refetchesWhenOld() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        try await Self.withCache(platform, maximumAge: 600) { cache, pccs in
            _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now)
            _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now.addingTimeInterval(599))
            #expect(pccs.fetches == 1)
            _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now.addingTimeInterval(601))
            #expect(pccs.fetches == 2)
        }
    }

    @Test("collateral past its next update is unavailable, not served: the PCCS must refresh it")
    func staleCollateral() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        try await Self.withCache(platform, maximumAge: 1e9) { cache, _ in
            _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now)
            let later = SimulatedPlatform.now.addingTimeInterval(60 * 86_400)
            let error = await #expect(throws: CollateralUnavailable.self) { try await cache.collateral(for: quote, at: later) }
            #expect(error?.message.contains("expired") == true, "\(String(describing: error))")
        }
    }

    @Test("a PCCS that is down is unavailable (retryable), held for a moment, and asked again after")
    func outage() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        try await Self.withCache(platform) { cache, pccs in
            pccs.setDown(true)
            let error = await #expect(throws: CollateralUnavailable.self) { try await cache.collateral(for: quote, at: SimulatedPlatform.now) }
            #expect(error?.message.contains("HTTP 503") == true, "\(String(describing: error))")
            pccs.setDown(false)
            await #expect(throws: CollateralUnavailable.self, "held for failureHold without asking the PCCS") {
                try await cache.collateral(for: quote, at: SimulatedPlatform.now.addingTimeInterval(1))
            }
            #expect(pccs.fetches == 1)
            #expect(cache.count == 0, "a failure is never cached as collateral")
            _ = try await cache.collateral(for: quote, at: SimulatedPlatform.now.addingTimeInterval(cache.failureHold + 1))
            #expect(pccs.fetches == 2)
            #expect(cache.count == 1)
        }
    }

    @Test("a platform the PCCS does not know is unavailable, naming the platform")
    func unknownPlatform() async throws {
        let platform = try SimulatedPlatform()
        try await Self.withCache(platform, fmspc: "00606a000000") { cache, _ in
            let error = await #expect(throws: CollateralUnavailable.self) {
                try await cache.collateral(for: try platform.quote(), at: SimulatedPlatform.now)
            }
            let fmspc = Hex.encode(platform.authority.platform.fmspc)
            #expect(error?.message.contains(fmspc) == true && error?.message.contains("HTTP 404") == true, "\(String(describing: error))")
        }
    }
}
