import Foundation

/// Runs `git http-backend` as a CGI program for one request.
enum CGI {
    static let backend = "/usr/lib/git-core/git-http-backend"

    /// The backend's answer: status line, headers, body.
    static func run(_ request: HTTPConnection.Request, projectRoot: String, user: String?) -> (String, [(String, String)], [UInt8]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.backend)
        process.environment = Self.environment(request, projectRoot: projectRoot, user: user)
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return ("500 Internal Server Error", [], Array("\(error)".utf8)) }
        let body = request.body
        let writer = Thread {
            input.fileHandleForWriting.write(Data(body))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let answer = [UInt8](output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        return Self.parse(answer)
    }

    private static func environment(_ request: HTTPConnection.Request, projectRoot: String, user: String?) -> [String: String] {
        let parts = request.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var environment = [
            "GIT_PROJECT_ROOT": projectRoot,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "REQUEST_METHOD": request.method,
            "PATH_INFO": String(parts[0]),
            "QUERY_STRING": parts.count > 1 ? String(parts[1]) : "",
            "CONTENT_LENGTH": String(request.body.count),
            "CONTENT_TYPE": request.header("Content-Type") ?? "",
        ]
        if let user { environment["REMOTE_USER"] = user }
        if let encoding = request.header("Content-Encoding") { environment["HTTP_CONTENT_ENCODING"] = encoding }
        if let protocolHeader = request.header("Git-Protocol") { environment["HTTP_GIT_PROTOCOL"] = protocolHeader }
        return environment
    }

    /// Splits CGI output into its `Status:` (200 when absent), other headers and body.
    private static func parse(_ output: [UInt8]) -> (String, [(String, String)], [UInt8]) {
        let crlf = output.firstRange(of: Array("\r\n\r\n".utf8))
        let lf = output.firstRange(of: Array("\n\n".utf8))
        guard let end = [crlf, lf].compactMap({ $0 }).min(by: { $0.lowerBound < $1.lowerBound }) else {
            return ("502 Bad Gateway", [], output)
        }
        var status = "200 OK"
        var headers: [(String, String)] = []
        for line in String(decoding: output[..<end.lowerBound], as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" { status = value } else { headers.append((name, value)) }
        }
        return (status, headers, Array(output[end.upperBound...]))
    }
}
