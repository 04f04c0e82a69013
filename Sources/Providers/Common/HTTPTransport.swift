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
    }

    /// Sends a request and reads the whole response.
    public func send(method: String, url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await self.client.execute(request, timeout: .nanoseconds(self.timeout.nanoseconds))
        let buffer = try await response.body.collect(upTo: self.maximumBodyBytes)
        return Response(
            status: Int(response.status.code),
            headers: response.headers.map { ($0.name, $0.value) },
            body: Array(buffer.readableBytesView)
        )
    }
}
