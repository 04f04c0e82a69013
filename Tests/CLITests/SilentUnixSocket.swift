import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket that accepts connections and never answers: EasyEnclave's socket while the
/// host's quoting service hangs. It counts and holds every connection until ``stop()``.
final class SilentUnixSocket: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let listener: Int32
    private let state = Mutex<(accepted: Int, open: [Int32])>((0, []))

    /// Listens at `path` (which must not exist).
    init(path: String) throws {
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw Failure(description: "cannot listen at \(path)")
        }
        self.listener = listener
        Thread { [self] in self.acceptLoop() }.start()
    }

    /// Connections accepted so far.
    var accepted: Int { self.state.withLock { $0.accepted } }

    /// Closes the listener and every connection.
    func stop() {
        shutdown(self.listener, Int32(SHUT_RDWR))
        for descriptor in self.state.withLock({ $0.open }) { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let connection = accept(self.listener, nil, nil)
            guard connection >= 0 else { return }
            self.state.withLock { state in
                state.accepted += 1
                state.open.append(connection)
            }
        }
    }

    deinit {
        for descriptor in self.state.withLock({ $0.open }) { close(descriptor) }
        close(self.listener)
    }
}
