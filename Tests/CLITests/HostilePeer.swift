import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server that misbehaves on purpose: each accepted connection runs `behaviour`
/// on a thread of its own, with blocking reads and writes on the raw socket. ``stop()`` shuts
/// every socket, which ends any behaviour that is stalling.
final class HostilePeer: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let port: Int
    private let listener: Int32
    private let state = Mutex<(accepted: Int, open: [Int32], stopped: Bool)>((0, [], false))

    /// Listens on 127.0.0.1 (a free port) and serves every connection with `behaviour`.
    init(_ behaviour: @escaping @Sendable (PeerConnection) throws -> Void) throws {
        (self.listener, self.port) = try Self.listen(backlog: 16)
        let thread = Thread { [self] in self.acceptLoop(behaviour) }
        thread.start()
    }

    /// A listening socket on 127.0.0.1 and the free port the kernel gave it.
    static func listen(backlog: Int32) throws -> (descriptor: Int32, port: Int) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(listener, backlog) == 0 else {
            close(listener)
            throw Failure(description: "cannot listen on 127.0.0.1")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        return (listener, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Connections accepted so far.
    var accepted: Int { self.state.withLock { $0.accepted } }

    /// Closes the listener and every open connection.
    func stop() {
        self.state.withLock { state in
            state.stopped = true
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
        shutdown(self.listener, Int32(SHUT_RDWR))
    }

    /// Closes a connection whose behaviour ended (under the lock, so ``stop()`` never shuts a
    /// descriptor number that was reused).
    private func finished(_ descriptor: Int32) {
        self.state.withLock { state in
            state.open.removeAll { $0 == descriptor }
            close(descriptor)
        }
    }

    private func acceptLoop(_ behaviour: @escaping @Sendable (PeerConnection) throws -> Void) {
        while true {
            let descriptor = accept(self.listener, nil, nil)
            guard descriptor >= 0 else { break }
            let stopped = self.state.withLock { state -> Bool in
                state.accepted += 1
                state.open.append(descriptor)
                return state.stopped
            }
            if stopped {
                self.finished(descriptor)
                break
            }
            let thread = Thread { [self] in
                try? behaviour(PeerConnection(descriptor: descriptor))
                self.finished(descriptor)
            }
            thread.start()
        }
        close(self.listener)
    }
}

/// One accepted connection: raw bytes, the HTTP upgrade, and WebSocket frames.
struct PeerConnection: Sendable {
    let descriptor: Int32

    /// Reads until `\r\n\r\n`: the HTTP request head.
    func readRequest() throws -> String {
        var bytes: [UInt8] = []
        while !bytes.ends(with: Array("\r\n\r\n".utf8)) {
            bytes += try self.read(count: 1)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Exactly `count` bytes; throws when the client closes first.
    func read(count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = buffer.withUnsafeMutableBytes { recv(self.descriptor, $0.baseAddress! + filled, count - filled, 0) }
            guard received > 0 else { throw HostilePeer.Failure(description: "the client closed the connection") }
            filled += received
        }
        return buffer
    }

    func write(_ text: String) throws { try self.write(Array(text.utf8)) }

    func write(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw HostilePeer.Failure(description: "send failed") }
    }

    /// Answers the upgrade request `request` with a valid `101 Switching Protocols`.
    func acceptUpgrade(_ request: String) throws {
        let key =
            request.split(separator: "\r\n").first { $0.lowercased().hasPrefix("sec-websocket-key:") }
            .map { $0.dropFirst("sec-websocket-key:".count).trimmingCharacters(in: .whitespaces) } ?? ""
        let accept = Data(Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))).base64EncodedString()
        try self.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: \(accept)\r\n\r\n")
    }

    /// The payload of the client's next (masked, unfragmented) frame.
    func readFrame() throws -> [UInt8] {
        let header = try self.read(count: 2)
        var length = Int(header[1] & 0x7f)
        if length == 126 {
            length = try self.read(count: 2).reduce(0) { $0 << 8 | Int($1) }
        } else if length == 127 {
            length = try self.read(count: 8).reduce(0) { $0 << 8 | Int($1) }
        }
        let mask = header[1] & 0x80 != 0 ? try self.read(count: 4) : [0, 0, 0, 0]
        let payload = try self.read(count: length)
        return payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// Sends `payload` as one unmasked binary frame.
    func writeFrame(_ payload: [UInt8]) throws {
        var frame: [UInt8] = [0x82]
        if payload.count < 126 {
            frame.append(UInt8(payload.count))
        } else {
            frame += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        }
        try self.write(frame + payload)
    }

    /// Holds the connection, reading and dropping whatever comes, until the client closes it
    /// (or the peer stops).
    func stall() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ recv(self.descriptor, $0.baseAddress, $0.count, 0) }) > 0 {}
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { self.count >= suffix.count && Array(self.suffix(suffix.count)) == suffix }
}
