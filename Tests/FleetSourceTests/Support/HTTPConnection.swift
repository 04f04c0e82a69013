import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One accepted connection of ``GitHTTPServer``: reads HTTP/1.1 requests (keep-alive, bodies by
/// Content-Length or chunked) and writes responses with a Content-Length.
final class HTTPConnection {
    /// A parsed request.
    struct Request {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    /// Reads until the peer closes.
    func drain() {
        while self.fill() {}
    }

    /// The next request; nil when the peer closed or sent something unparsable.
    func readRequest() -> Request? {
        guard let head = self.readHead() else { return nil }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count == 3 else { return nil }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var request = Request(method: String(parts[0]), target: String(parts[1]), headers: headers, body: [])
        if request.header("Expect")?.lowercased() == "100-continue" { self.send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        if request.header("Transfer-Encoding")?.lowercased() == "chunked" {
            guard let body = self.readChunked() else { return nil }
            request.body = body
        } else if let length = Int(request.header("Content-Length") ?? "0"), length > 0 {
            guard let body = self.read(count: length) else { return nil }
            request.body = body
        }
        return request
    }

    /// Writes a response.
    func write(status: String, headers: [(String, String)], body: [UInt8]) {
        var head = "HTTP/1.1 \(status)\r\n"
        for (name, value) in headers where name.lowercased() != "content-length" { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        self.send(Array(head.utf8) + body)
    }

    private func readHead() -> String? {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = self.buffer.firstRange(of: separator) {
                let head = String(decoding: self.buffer[..<end.lowerBound], as: UTF8.self)
                self.buffer.removeSubrange(..<end.upperBound)
                return head
            }
            guard self.fill() else { return nil }
        }
    }

    private func readLine() -> String? {
        let separator = Array("\r\n".utf8)
        while true {
            if let end = self.buffer.firstRange(of: separator) {
                let line = String(decoding: self.buffer[..<end.lowerBound], as: UTF8.self)
                self.buffer.removeSubrange(..<end.upperBound)
                return line
            }
            guard self.fill() else { return nil }
        }
    }

    private func readChunked() -> [UInt8]? {
        var body: [UInt8] = []
        while true {
            guard let line = self.readLine(), let size = Int(line.split(separator: ";")[0], radix: 16) else { return nil }
            if size == 0 {
                while let trailer = self.readLine(), !trailer.isEmpty {}
                return body
            }
            guard let chunk = self.read(count: size), self.readLine() != nil else { return nil }
            body += chunk
        }
    }

    private func read(count: Int) -> [UInt8]? {
        while self.buffer.count < count { guard self.fill() else { return nil } }
        let bytes = Array(self.buffer[..<count])
        self.buffer.removeSubrange(..<count)
        return bytes
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(self.fd, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        self.buffer += chunk[..<count]
        return true
    }

    private func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            offset += count
        }
    }
}
