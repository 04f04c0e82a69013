import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Blocking HTTP/1.1 over raw sockets, each on a thread of its own: a client that does not
/// share the cooperative pool with the server it measures, so a frozen server shows as latency
/// rather than freezing the measurement too.
enum RawHTTP {
    /// The status of `GET path` (nil when the connection failed or nothing came back). Blocking.
    static func status(port: Int, path: String) -> Int? {
        guard let socket = try? RawSocket(port: port) else { return nil }
        guard (try? socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) != nil else { return nil }
        guard let head = try? socket.receive(), head.count >= 12 else { return nil }
        return Int(String(decoding: head[9..<12], as: UTF8.self))
    }

    /// Runs `body` on a new thread; the caller awaits it without holding a cooperative thread.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    /// Asks `GET /health` back to back until `stop` is set; returns each answer's latency (in
    /// order) and how many did not answer 200.
    static func probeHealth(port: Int, until stop: StopFlag) -> (latencies: [Duration], failed: Int) {
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        var failed = 0
        while !stop.isSet {
            let started = clock.now
            let status = Self.status(port: port, path: "/health")
            latencies.append(started.duration(to: clock.now))
            if status != 200 { failed += 1 }
        }
        return (latencies, failed)
    }
}

/// A flag a test sets once, shared with the threads that watch it.
final class StopFlag: Sendable {
    let flag = Atomic(false)
    func set() { self.flag.store(true, ordering: .releasing) }
    var isSet: Bool { self.flag.load(ordering: .acquiring) }
}
