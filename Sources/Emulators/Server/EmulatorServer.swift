import Foundation
import Hummingbird
import NIOCore

/// The emulators behind one loopback port, sharing a journal, a fault injector and a clock, plus
/// the admin API tests drive:
///
/// | route | effect |
/// |---|---|
/// | `GET /_emulator/journal` | `{"total", "mutating", "counts": {route: n}}` |
/// | `DELETE /_emulator/journal` | forget the journal |
/// | `POST /_emulator/faults` | add fault rules: `{"rules": [{"route": "tunnels.create", "status": 429, "count": 2, "retryAfterSeconds": 1}]}` |
/// | `DELETE /_emulator/faults` | remove every fault |
/// | `POST /_emulator/clock/advance?seconds=N` | move emulator time forward |
public struct EmulatorServer: Sendable {
    /// The Cloudflare emulator, when enabled.
    public let cloudflare: CloudflareEmulator?
    /// The GCE emulator, when enabled.
    public let gce: GCEEmulator?
    /// The PCCS emulator, when enabled.
    public let pccs: PCCSEmulator?
    /// The shared journal.
    public let journal: RequestJournal
    /// The shared faults.
    public let faults: FaultInjector
    /// The shared clock.
    public let clock: EmulatorClock

    /// Creates the server's emulators.
    public init(
        cloudflare: CloudflareEmulator.Configuration? = nil,
        gce: GCEEmulator.Configuration? = nil,
        pccs: PCCSEmulator? = nil,
        clock: EmulatorClock = EmulatorClock()
    ) throws {
        let journal = RequestJournal()
        let faults = FaultInjector()
        self.journal = journal
        self.faults = faults
        self.clock = clock
        self.pccs = pccs?.sharing(faults: faults, journal: journal)
        self.cloudflare = cloudflare.map { CloudflareEmulator(configuration: $0, journal: journal, faults: faults, clock: clock) }
        self.gce = try gce.map { try GCEEmulator(configuration: $0, journal: journal, faults: faults, clock: clock) }
    }

    /// Every route: the emulators' and the admin API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        self.cloudflare?.addRoutes(to: router)
        self.gce?.addRoutes(to: router)
        self.pccs?.addRoutes(to: router)
        let journal = self.journal
        let faults = self.faults
        let clock = self.clock
        router.get("/_emulator/journal") { _, _ -> Response in
            EmulatorResponse.json(.ok, ["total": journal.all.count, "mutating": journal.mutatingCount, "counts": journal.counts])
        }
        router.delete("/_emulator/journal") { _, _ -> Response in
            journal.reset()
            return EmulatorResponse.json(.ok, ["ok": true])
        }
        router.post("/_emulator/faults") { request, _ -> Response in
            struct Rules: Decodable { var rules: [FaultInjector.Rule] }
            guard let buffer = try? await request.body.collect(upTo: 1 << 20),
                let rules = try? JSONDecoder().decode(Rules.self, from: Data(buffer.readableBytesView))
            else { return EmulatorResponse.json(.badRequest, ["error": "expected {\"rules\": [{\"route\", \"status\", …}]}"]) }
            faults.add(rules.rules)
            return EmulatorResponse.json(.ok, ["added": rules.rules.count])
        }
        router.delete("/_emulator/faults") { _, _ -> Response in
            faults.clear()
            return EmulatorResponse.json(.ok, ["ok": true])
        }
        router.post("/_emulator/clock/advance") { request, _ -> Response in
            let seconds = Double(EmulatorResponse.query(request, "seconds") ?? "0") ?? 0
            clock.advance(by: .milliseconds(Int(seconds * 1000)))
            let (whole, fraction) = clock.now.components
            return EmulatorResponse.json(.ok, ["now": Double(whole) + Double(fraction) / 1e18])
        }
        return router
    }
}
