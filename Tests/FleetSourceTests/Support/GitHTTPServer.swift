import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server for the tests, on 127.0.0.1 and a port the kernel picks. It serves
/// git's smart HTTP by running git's own `git http-backend` as a CGI program per request
/// (request bodies by Content-Length or chunked, passed through unchanged, gzip included, since
/// http-backend inflates them itself), optionally behind Basic authentication; or, `silent`, it
/// accepts connections and never answers. It records what every request asked for.
final class GitHTTPServer: @unchecked Sendable {
    /// How the server answers.
    enum Mode: Sendable {
        /// Serves the repositories under `projectRoot`; when `token` is set, only to requests
        /// with `Authorization: Basic base64("x-access-token:" + token)`: a request without that
        /// header gets 401 and a `WWW-Authenticate: Basic` challenge, one with another value gets
        /// `refusal` (401, or 403 as GitHub answers a token that may not read the repository).
        case git(projectRoot: String, token: String?, refusal: String = "401 Unauthorized")
        /// Accepts and reads, never answers.
        case silent
    }

    /// One request as the server saw it.
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
    }

    /// The port it listens on.
    let port: UInt16
    private let listener: Int32
    private let mode: Mode
    private let lock = NSLock()
    private var seen: [Request] = []

    /// Starts listening and accepting on a background thread.
    init(_ mode: Mode) throws {
        self.mode = mode
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(listener, address, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, address, &length) == 0
            }
        }
        self.listener = listener
        guard bound else { throw Command.Failure(description: "cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))") }
        self.port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in self.acceptLoop() }.start()
    }

    /// Stops accepting (connections already open finish on their own).
    func stop() {
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
    }

    /// The requests seen so far.
    var requests: [Request] {
        self.lock.withLock { self.seen }
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() throws -> UInt16 {
        let server = try GitHTTPServer(.silent)
        server.stop()
        return server.port
    }

    private func acceptLoop() {
        while true {
            let connection = accept(self.listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in
                self.serve(HTTPConnection(fd: connection))
                close(connection)
            }.start()
        }
    }

    private func serve(_ connection: HTTPConnection) {
        guard case .git(let root, let token, let refusal) = self.mode else {
            connection.drain()
            return
        }
        while let request = connection.readRequest() {
            self.lock.withLock {
                self.seen.append(Request(method: request.method, target: request.target, headers: request.headers, body: request.body))
            }
            if token != nil, request.header("Authorization") == nil {
                connection.write(status: "401 Unauthorized", headers: [("WWW-Authenticate", "Basic realm=\"git\"")], body: [])
                continue
            }
            guard Self.isAuthorised(request, token: token) else {
                let challenge = refusal.hasPrefix("401") ? [("WWW-Authenticate", "Basic realm=\"git\"")] : []
                connection.write(status: refusal, headers: challenge, body: [])
                continue
            }
            let (status, headers, body) = CGI.run(request, projectRoot: root, user: token == nil ? nil : "x-access-token")
            connection.write(status: status, headers: headers, body: body)
        }
    }

    private static func isAuthorised(_ request: HTTPConnection.Request, token: String?) -> Bool {
        guard let token else { return true }
        let expected = "Basic " + Data("x-access-token:\(token)".utf8).base64EncodedString()
        return request.headers.contains { $0.name.lowercased() == "authorization" && $0.value == expected }
    }
}
