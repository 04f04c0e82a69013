#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP socket on 127.0.0.1 with 2-byte big-endian length framing (Noise's usual
/// framing), for interop tests with another implementation in another process.
struct FramedSocket {
    let descriptor: Int32

    struct SocketError: Error, CustomStringConvertible {
        var description: String
    }

    /// Listens on a free port; returns the listening socket and the port.
    static func listen() throws -> (FramedSocket, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 1) == 0 else { throw SocketError(description: "cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (FramedSocket(descriptor: fd), Int(UInt16(bigEndian: address.sin_port)))
    }

    func accept() throws -> FramedSocket {
        let fd = Glibc.accept(self.descriptor, nil, nil)
        guard fd >= 0 else { throw SocketError(description: "accept failed") }
        return FramedSocket(descriptor: fd)
    }

    static func connect(port: Int) throws -> FramedSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, connected == 0 else { throw SocketError(description: "cannot connect to port \(port)") }
        return FramedSocket(descriptor: fd)
    }

    func send(_ message: [UInt8]) throws {
        let frame = [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message
        var offset = 0
        while offset < frame.count {
            let written = frame.withUnsafeBytes { Glibc.write(self.descriptor, $0.baseAddress! + offset, frame.count - offset) }
            guard written > 0 else { throw SocketError(description: "write failed") }
            offset += written
        }
    }

    func receive() throws -> [UInt8] {
        let header = try self.read(2)
        return try self.read(Int(header[0]) << 8 | Int(header[1]))
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer.withUnsafeMutableBytes { Glibc.read(self.descriptor, $0.baseAddress! + offset, count - offset) }
            guard got > 0 else { throw SocketError(description: "the peer closed the connection") }
            offset += got
        }
        return buffer
    }

    func close() { _ = Glibc.close(self.descriptor) }
}
