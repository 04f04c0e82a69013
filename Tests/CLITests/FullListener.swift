#if canImport(Glibc)
import Glibc
#endif

/// A loopback listener that never accepts, its queue filled by connections of its own: the kernel
/// drops every further SYN, so a client's TCP connect neither completes nor fails — a control
/// plane whose host is overloaded, or a black-holed route.
final class FullListener: Sendable {
    let port: Int
    private let descriptors: [Int32]

    /// Listens on 127.0.0.1 (a free port) with a backlog of zero and queues `fillers`
    /// connections (non-blocking: the ones that do not fit stay half-open, which is fine).
    init(fillers: Int = 3) throws {
        let (listener, port) = try HostilePeer.listen(backlog: 0)
        var descriptors = [listener]
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = in_port_t(UInt16(port).bigEndian)
        target.sin_addr.s_addr = inet_addr("127.0.0.1")
        for _ in 0..<fillers {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            descriptors.append(filler)
        }
        self.port = port
        self.descriptors = descriptors
    }

    deinit {
        for descriptor in self.descriptors { close(descriptor) }
    }
}
