import CLibGit2
import Reconciler

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The TCP stream libgit2 uses for HTTP and under its TLS (registered as `GIT_STREAM_STANDARD`):
/// a non-blocking socket whose connect, reads and writes each wait at most until the deadline
/// of the thread's ``NetworkOperation`` (libgit2 1.5's own socket has no timeout at all, so a
/// server that accepts and then stays silent would hang a fetch forever).
///
/// It bounds every wait on the network — connecting, the TLS handshake, each request and each
/// byte of the response — against one absolute deadline per operation. It does not bound name
/// resolution (`getaddrinfo` blocks; the resolver's own timeouts apply) nor the local work after
/// the last byte arrives (indexing the pack, writing refs). It supports no proxy.
enum DeadlineSocketStream {
    /// Registers the stream with libgit2; 0 on success.
    static func register() -> Int32 {
        var registration = git_stream_registration()
        registration.version = GIT_STREAM_VERSION
        registration.`init` = { out, host, port in DeadlineSocketStream.create(out, host, port) }
        return git_stream_register(GIT_STREAM_STANDARD, &registration)
    }

    /// libgit2's constructor: allocates the state; connecting waits for `connect`.
    private static func create(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_stream>?>?,
        _ host: UnsafePointer<CChar>?,
        _ port: UnsafePointer<CChar>?
    ) -> Int32 {
        guard let out, let host, let port else { return Self.fail("a stream was asked for without a host or port") }
        let state = UnsafeMutablePointer<dd_deadline_stream>.allocate(capacity: 1)
        state.initialize(to: dd_deadline_stream())
        state.pointee.parent.version = GIT_STREAM_VERSION
        state.pointee.parent.connect = { DeadlineSocketStream.connectStream($0) }
        state.pointee.parent.read = { DeadlineSocketStream.readStream($0, $1, $2) }
        state.pointee.parent.write = { DeadlineSocketStream.writeStream($0, $1, $2, $3) }
        state.pointee.parent.close = { DeadlineSocketStream.closeStream($0) }
        state.pointee.parent.free = { DeadlineSocketStream.freeStream($0) }
        state.pointee.fd = -1
        state.pointee.host = strdup(host)
        state.pointee.port = strdup(port)
        state.pointee.deadline_ns = NetworkOperation.current?.deadline ?? 0
        out.pointee = UnsafeMutableRawPointer(state).assumingMemoryBound(to: git_stream.self)
        return 0
    }

    private static func state(_ stream: UnsafeMutablePointer<git_stream>?) -> UnsafeMutablePointer<dd_deadline_stream>? {
        stream.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: dd_deadline_stream.self) }
    }

    private static func connectStream(_ stream: UnsafeMutablePointer<git_stream>?) -> Int32 {
        guard let state = Self.state(stream), let host = state.pointee.host, let port = state.pointee.port else {
            return Self.fail("a stream without a host was asked to connect")
        }
        let endpoint = "\(String(cString: host)):\(String(cString: port))"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Self.streamSocketType
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, port, &hints, &list)
        guard status == 0, let list else {
            return Self.fail("cannot resolve \(endpoint): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = ECONNREFUSED
        for entry in sequence(first: list, next: { $0.pointee.ai_next }) {
            switch Self.attempt(entry.pointee, deadline: state.pointee.deadline_ns) {
            case .success(let fd):
                state.pointee.fd = fd
                return 0
            case .failure(let failure):
                if failure.timedOut { return Self.timeout("connecting to \(endpoint)") }
                lastError = failure.errorNumber
            }
        }
        return Self.fail("cannot connect to \(endpoint): \(String(cString: strerror(lastError)))")
    }

    /// Why one connection attempt failed.
    private struct ConnectFailure: Error {
        var errorNumber: Int32
        var timedOut = false
    }

    /// One non-blocking connection attempt to one address.
    private static func attempt(_ address: addrinfo, deadline: Int64) -> Result<Int32, ConnectFailure> {
        let fd = socket(address.ai_family, address.ai_socktype | Self.socketFlags, address.ai_protocol)
        guard fd >= 0 else { return .failure(ConnectFailure(errorNumber: errno)) }
        #if canImport(Darwin)
        var on: Int32 = 1
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if connect(fd, address.ai_addr, address.ai_addrlen) == 0 { return .success(fd) }
        var failure = ConnectFailure(errorNumber: errno)
        if failure.errorNumber == EINPROGRESS {
            switch Self.wait(fd, for: Int16(POLLOUT), until: deadline) {
            case .ready:
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                if error == 0 { return .success(fd) }
                failure.errorNumber = error
            case .timedOut: failure.timedOut = true
            case .failed(let error): failure.errorNumber = error
            }
        }
        close(fd)
        return .failure(failure)
    }

    private static func readStream(_ stream: UnsafeMutablePointer<git_stream>?, _ buffer: UnsafeMutableRawPointer?, _ length: Int) -> Int {
        guard let state = Self.state(stream), state.pointee.fd >= 0 else { return Int(Self.fail("read from a closed stream")) }
        while true {
            let count = recv(state.pointee.fd, buffer, length, 0)
            if count >= 0 { return count }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return Int(Self.fail("receiving failed: \(String(cString: strerror(errno)))"))
            }
            switch Self.wait(state.pointee.fd, for: Int16(POLLIN), until: state.pointee.deadline_ns) {
            case .ready: continue
            case .timedOut: return Int(Self.timeout("waiting for the server's answer"))
            case .failed(let error): return Int(Self.fail("receiving failed: \(String(cString: strerror(error)))"))
            }
        }
    }

    private static func writeStream(
        _ stream: UnsafeMutablePointer<git_stream>?,
        _ data: UnsafePointer<CChar>?,
        _ length: Int,
        _ flags: Int32
    ) -> Int {
        guard let state = Self.state(stream), state.pointee.fd >= 0, let data else { return Int(Self.fail("write to a closed stream")) }
        var written = 0
        while written < length {
            let count = send(state.pointee.fd, data + written, length - written, Self.sendFlags)
            if count >= 0 {
                written += count
                continue
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return Int(Self.fail("sending failed: \(String(cString: strerror(errno)))"))
            }
            switch Self.wait(state.pointee.fd, for: Int16(POLLOUT), until: state.pointee.deadline_ns) {
            case .ready: continue
            case .timedOut: return Int(Self.timeout("sending the request"))
            case .failed(let error): return Int(Self.fail("sending failed: \(String(cString: strerror(error)))"))
            }
        }
        return written
    }

    private static func closeStream(_ stream: UnsafeMutablePointer<git_stream>?) -> Int32 {
        guard let state = Self.state(stream), state.pointee.fd >= 0 else { return 0 }
        close(state.pointee.fd)
        state.pointee.fd = -1
        return 0
    }

    private static func freeStream(_ stream: UnsafeMutablePointer<git_stream>?) {
        guard let state = Self.state(stream) else { return }
        _ = Self.closeStream(stream)
        free(state.pointee.host)
        free(state.pointee.port)
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// How a wait ended.
    private enum Wait {
        case ready, timedOut
        case failed(Int32)
    }

    /// Waits until `fd` is ready for `events` or the deadline (0: none) passes.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Wait {
        while true {
            var milliseconds: Int32 = -1
            if deadline != 0 {
                let remaining = deadline - MonotonicClock.now()
                guard remaining > 0 else { return .timedOut }
                milliseconds = Int32(clamping: (remaining + 999_999) / 1_000_000)
            }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let status = poll(&descriptor, 1, milliseconds)
            if status > 0 { return .ready }
            if status < 0 && errno != EINTR { return .failed(errno) }
        }
    }

    /// Records the timeout on the thread's operation and sets libgit2's error; returns -1.
    private static func timeout(_ doing: String) -> Int32 {
        NetworkOperation.current?.timedOut = true
        return Self.fail("timed out \(doing)")
    }

    /// Sets libgit2's error (class `GIT_ERROR_NET`) to `message`; returns -1.
    private static func fail(_ message: String) -> Int32 {
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), message)
        return -1
    }

    #if canImport(Glibc)
    private static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    /// Non-blocking and close-on-exec from the start.
    private static let socketFlags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
    /// No SIGPIPE when the server has gone.
    private static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    private static let streamSocketType = SOCK_STREAM
    private static let socketFlags: Int32 = 0
    private static let sendFlags: Int32 = 0
    #endif
}
