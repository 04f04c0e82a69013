import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Quotes from EasyEnclave's agent socket (`/var/lib/easyenclave/agent.sock`): one JSON line
/// in, `{"method":"attest","report_data_b64":…}`, one line out, `{"quote_b64":…}`.
public struct EasyEnclaveQuoteSource: QuoteSource {
    /// A failure talking to the socket.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public var description: String
    }

    /// The socket path.
    public var path: String
    /// How long the whole answer may take: a quote goes to the host's quoting service and can
    /// take seconds, but a socket that never answers must not hold a caller for ever.
    public var timeoutSeconds: Int

    /// Creates a source (default path `/var/lib/easyenclave/agent.sock`, 30 s for an answer).
    public init(path: String = "/var/lib/easyenclave/agent.sock", timeoutSeconds: Int = 30) {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }

    public func quote(reportData: [UInt8]) async throws -> [UInt8] {
        let request = try JSONSerialization.data(withJSONObject: ["method": "attest", "report_data_b64": Data(reportData).base64EncodedString()])
        let line = try self.exchange(Array(request) + [0x0A])
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            throw Failure(description: "\(self.path) answered something that is not JSON")
        }
        guard let text = object["quote_b64"] as? String, let quote = Data(base64Encoded: text) else {
            throw Failure(description: "\(self.path) gave no quote_b64 (error: \(object["error"] ?? "none"))")
        }
        return [UInt8](quote)
    }

    /// Sends one line and reads one back (blocking; the socket is local and answers at once).
    private func exchange(_ request: [UInt8]) throws -> [UInt8] {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "cannot create a Unix socket") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: self.timeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(self.path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(self.path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in pathBytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "cannot connect to EasyEnclave at \(self.path) (errno \(errno))") }
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw Failure(description: "writing to \(self.path) failed (errno \(errno))") }
            sent += written
        }
        // One deadline for the whole answer, however it trickles in.
        let deadline = ContinuousClock.now + .seconds(self.timeoutSeconds)
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !response.contains(0x0A) && response.count < 1 << 20 {
            let remaining = ContinuousClock.now.duration(to: deadline)
            var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let polled = poll(
                &ready,
                1,
                Int32(max(0, remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            )
            if polled < 0 && errno == EINTR { continue }
            guard polled > 0 else {
                throw Failure(description: "EasyEnclave at \(self.path) did not answer within \(self.timeoutSeconds) s")
            }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw Failure(description: "reading from \(self.path) failed (errno \(errno))") }
            if count == 0 { break }
            response += buffer[0..<count]
        }
        return Array(response.prefix { $0 != 0x0A })
    }
}
