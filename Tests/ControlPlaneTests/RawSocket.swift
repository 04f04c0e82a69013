#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to 127.0.0.1, for a client that does not follow the WebSocket
/// protocol (it never answers a close frame). Blocking calls with a receive timeout.
final class RawSocket: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A WebSocket upgrade of `GET /register`, as a client's first bytes.
    static let registerUpgradeRequest =
        "GET /register HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    private let descriptor: Int32

    init(port: Int) throws {
        self.descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard self.descriptor >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(self.descriptor)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
        self.setReceiveTimeout(seconds: 30)
    }

    deinit { close(self.descriptor) }

    func send(_ text: String) throws {
        try self.sendBytes(Array(text.utf8))
    }

    func sendBytes(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw Failure(description: "send failed") }
    }

    /// What arrives next (waits up to the receive timeout: 30 s, for a 2-core machine running the
    /// whole suite at once).
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw Failure(description: "nothing received") }
        return Array(buffer[0..<count])
    }

    /// Reads (and ignores) everything until the peer closes the connection: true then, false
    /// when `timeoutSeconds` pass first.
    func readUntilClosed(timeoutSeconds: Int) throws -> Bool {
        self.setReceiveTimeout(seconds: timeoutSeconds)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 { continue }
            if count == 0 { return true }
            return errno == ECONNRESET
        }
    }

    private func setReceiveTimeout(seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
