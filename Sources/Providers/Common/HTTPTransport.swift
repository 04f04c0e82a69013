import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The one HTTP client a process shares (AsyncHTTPClient's shared client: a connection pool,
/// timeouts), wrapped in the small surface the providers and the PCCS client need.
public struct HTTPTransport: Sendable {
    /// How long a request may take end to end.
    public var timeout: Duration
    /// The largest response body accepted.
    public var maximumBodyBytes: Int
    private let client: HTTPClient

    /// Creates a transport over `client` (default: the process-wide shared client).
    public init(client: HTTPClient = .shared, timeout: Duration = .seconds(30), maximumBodyBytes: Int = 64 << 20) {
        self.client = client
        self.timeout = timeout
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// This transport (the same client and connection pool) with another end-to-end timeout.
    public func withTimeout(_ timeout: Duration) -> HTTPTransport {
        var copy = self
        copy.timeout = timeout
        return copy
    }

    /// A response, fully read.
    public struct Response: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// The headers, in order.
        public var headers: [(String, String)]
        /// The body.
        public var body: [UInt8]

        /// A response (in tests: what a scripted transport answers).
        public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// A request refused before it was sent: a header value HTTP does not allow. Names the
    /// header, never its value (usually a credential).
    public struct ForbiddenHeaderValue: Error, CustomStringConvertible {
        /// The header's name.
        public var name: String
        public var description: String {
            "the \(self.name) header's value holds a character HTTP does not allow (a line break or another control character); the value is not shown"
        }
    }

    /// A failure below the transport whose text held a header value, with that value removed.
    public struct RedactedFailure: Error, CustomStringConvertible {
        /// The failure's text, secrets replaced by ``Redaction/placeholder``.
        public var description: String
    }

    /// Sends a request and reads the whole response.
    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        try await self.send(method: method, url: url, headers: headers, body: body, timeout: nil)
    }

    /// Sends a request and reads the whole response, within `timeout` when it is shorter than
    /// the transport's own. A header value HTTP does not allow is refused before anything is
    /// sent, and no error thrown from here renders a header's value.
    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration?) async throws -> Response {
        if let name = Redaction.forbiddenHeader(in: headers) { throw ForbiddenHeaderValue(name: name) }
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let limit = min(self.timeout, max(timeout ?? self.timeout, .milliseconds(1)))
        do {
            let response = try await self.client.execute(request, timeout: .nanoseconds(limit.nanoseconds))
            let buffer = try await response.body.collect(upTo: self.maximumBodyBytes)
            return Response(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: Array(buffer.readableBytesView)
            )
        } catch {
            let text = String(describing: error)
            let scrubbed = Redaction.scrub(text, headers: headers)
            guard scrubbed == text else { throw RedactedFailure(description: scrubbed) }
            throw error
        }
    }
}
