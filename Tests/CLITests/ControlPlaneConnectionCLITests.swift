import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control-plane process against idle clients (issue 18, point 6): an idle connection does
/// not hold SIGTERM, and idle connections up to the descriptor limit do not block `/health`.
@Suite struct ControlPlaneConnectionCLITests {
    static let mrtd = String(repeating: "ab", count: 48)

    /// A TCP connection to 127.0.0.1 that sends nothing; closed when released.
    final class IdleConnection: @unchecked Sendable {
        let descriptor: Int32
        init?(port: Int) {
            self.descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            // Bounds connect() too: a full listen backlog must not hold the test.
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            _ = setsockopt(self.descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(self.descriptor)
                return nil
            }
        }
        deinit { close(self.descriptor) }

        /// Whether the server closes this connection within `seconds` (blocking).
        func closedByServer(within seconds: Int) -> Bool {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            _ = setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var byte: UInt8 = 0
            let count = recv(self.descriptor, &byte, 1, 0)
            return count == 0 || (count < 0 && errno == ECONNRESET)
        }
    }

    /// Runs `body` with a registration-only control plane (`extra` flags, under `ulimit -n
    /// descriptors` when given) listening, its port and process.
    static func withControlPlane(
        _ extra: [String],
        descriptors: Int? = nil,
        _ body: @Sendable (Int, RegistrationEndToEndTests.Background) async throws -> Void
    ) async throws {
        let (directory, _, fleetFile) = try await RegistrationEndToEndTests.scratchFleet("dd-conn", agents: RegistrationEndToEndTests.agents)
        defer { try? FileManager.default.removeItem(at: directory) }
        let portFile = directory.appendingPathComponent("cp.port")
        try await CLIFleet.with { fleet in
            var arguments =
                [
                    "control-plane", fleetFile.path, "--no-reconcile", "--no-verify-instances", "--listen", "127.0.0.1:0", "--port-file",
                    portFile.path,
                    "--quote-source", "simulated", "--sim-authority", directory.appendingPathComponent("sim/authority.json").path,
                    "--trust-simulated",
                ] + extra
            if let descriptors {
                arguments = ["-c", "ulimit -n \(descriptors) && exec \"$0\" \"$@\"", CLITests.binary.path] + arguments
            }
            let controlPlane = try RegistrationEndToEndTests.Background(
                arguments,
                environment: fleet.environment,
                log: directory.appendingPathComponent("cp.log"),
                executable: descriptors == nil ? nil : URL(fileURLWithPath: "/bin/sh")
            )
            defer { controlPlane.kill() }
            try await RegistrationEndToEndTests.eventually("the control plane to listen", timeout: .seconds(60)) {
                FileManager.default.fileExists(atPath: portFile.path) && !((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").isEmpty
            }
            let port = try #require(Int(try String(contentsOf: portFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            try await body(port, controlPlane)
        }
    }

    @Test("SIGTERM with an idle connection open: the control plane closes it and exits well within the shutdown deadline")
    func sigtermWithIdleConnection() async throws {
        try await Self.withControlPlane(["--shutdown-timeout", "5", "--header-timeout", "600"]) { port, controlPlane in
            let idle = try #require(IdleConnection(port: port))
            #expect(await RawStatus.health(port: port) == 200)
            let started = ContinuousClock.now
            controlPlane.kill(SIGTERM)
            try await RegistrationEndToEndTests.eventually("the control plane to exit on SIGTERM", timeout: .seconds(40)) {
                !controlPlane.process.isRunning
            }
            let took = started.duration(to: .now)
            print("control plane exited \(took) after SIGTERM with an idle connection open")
            // Well under the 600 s header timeout an idle connection would otherwise be given.
            #expect(took < .seconds(30), "took \(took)")
            _ = idle
        }
    }

    @Test("with 256 descriptors, 300 idle connections: /health still answers and the idle ones are closed, oldest first")
    func idleConnectionsAtTheDescriptorLimit() async throws {
        // A long header timeout: what closes idle connections here is the cap, not the timeout.
        try await Self.withControlPlane(["--header-timeout", "600"], descriptors: 256) { port, controlPlane in
            let idle = (0..<300).compactMap { _ in IdleConnection(port: port) }
            let started = ContinuousClock.now
            let status = await RawStatus.health(port: port)
            print("/health answered \(String(describing: status)) in \(started.duration(to: .now)) with \(idle.count) idle connections made")
            #expect(idle.count == 300, "every idle connection was made")
            #expect(status == 200, "\(controlPlane.output.suffix(2_000))")
            #expect(controlPlane.process.isRunning)
            // Room was made by closing the oldest idle connections.
            let oldest = Array(idle.prefix(10))
            let closed = await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: oldest.map { $0.closedByServer(within: 20) }) }
            }
            #expect(closed.allSatisfy { $0 }, "the oldest idle connections were closed: \(closed)")
        }
    }
}

/// `GET /health` over a raw socket on a thread of its own, with a 30 s receive timeout.
enum RawStatus {
    static func health(port: Int) async -> Int? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.blockingHealth(port: port)) }
        }
    }

    static func blockingHealth(port: Int) -> Int? {
        guard let connection = ControlPlaneConnectionCLITests.IdleConnection(port: port) else { return nil }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(connection.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(connection.descriptor, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { recv(connection.descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
