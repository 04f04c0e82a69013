import Agent
import ControlPlane
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Idle and slow clients of the HTTP side (issue 18, point 6), and unmasked client frames
/// (point 8), over raw sockets.
@Suite struct ConnectionLimitTests {
    static let vm = "dd-production-web-0-de1ea041"

    @Test("a silent connection, a partial request head and a kept-alive connection are closed after their timeouts")
    func idleAndSlowClientsAreClosed() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(1), idleTimeout: .seconds(1))
        try await ControlPlaneFixture.with(connections: limits) { fixture in
            let port = fixture.port
            let closed = await RawHTTP.onThread { () -> [Bool] in
                let silent = try? RawSocket(port: port)
                let partial = try? RawSocket(port: port)
                try? partial?.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                let keptAlive = try? RawSocket(port: port)
                try? keptAlive?.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                _ = try? keptAlive?.receive()
                return [silent, partial, keptAlive].map { (try? $0?.readUntilClosed(timeoutSeconds: 20)) == true }
            }
            #expect(closed == [true, true, true], "silent, partial head, kept alive")
        }
    }

    @Test("more idle connections than may be pending: the oldest are closed, /health answers and an agent registers")
    func pendingCap() async throws {
        let limits = ConnectionLimits(headerTimeout: .seconds(600), maxConnections: 64, maxPending: 8)
        try await ControlPlaneFixture.with(connections: limits) { fixture in
            let port = fixture.port
            let sockets = await RawHTTP.onThread { (0..<40).compactMap { _ in try? RawSocket(port: port) } }
            #expect(sockets.count == 40)
            #expect(await RawHTTP.onThread { RawHTTP.status(port: port, path: "/health") } == 200)
            try await fixture.agent(Self.vm).run(clock: ContinuousClock(), interval: .zero, heartbeats: 1) { _ in }
            #expect(fixture.registry.snapshot().map(\.record.vm) == [Self.vm])
            let oldest = Array(sockets.prefix(20))
            let closed = await RawHTTP.onThread { oldest.map { (try? $0.readUntilClosed(timeoutSeconds: 20)) == true } }
            #expect(closed.allSatisfy { $0 }, "the oldest idle connections were closed: \(closed)")
        }
    }

    @Test("an unmasked client frame after the upgrade closes the connection with status 1002")
    func unmaskedFrame() async throws {
        try await ControlPlaneFixture.with { fixture in
            let port = fixture.port
            let answer = await RawHTTP.onThread { () -> (upgraded: Bool, close: [UInt8], closed: Bool) in
                guard let socket = try? RawSocket(port: port) else { return (false, [], false) }
                try? socket.send(RawSocket.registerUpgradeRequest)
                let upgrade = (try? socket.receive()) ?? []
                // A binary frame of 4 bytes, FIN set, mask bit clear.
                try? socket.sendBytes([0x82, 0x04, 0x01, 0x02, 0x03, 0x04])
                let close = (try? socket.receive()) ?? []
                return (
                    String(decoding: upgrade, as: UTF8.self).hasPrefix("HTTP/1.1 101"), close,
                    (try? socket.readUntilClosed(timeoutSeconds: 20)) == true
                )
            }
            #expect(answer.upgraded)
            #expect(answer.close.starts(with: [0x88, 0x02, 0x03, 0xEA]), "a close frame with 1002: \(answer.close)")
            #expect(answer.closed)
        }
    }
}
