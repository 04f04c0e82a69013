/// Sends one HTTP request and reads the whole response: AsyncHTTPClient in production
/// (``HTTPTransport``), a scripted fake in tests.
public protocol HTTPSending: Sendable {
    /// Sends a request.
    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?) async throws -> HTTPTransport.Response
}

extension HTTPTransport: HTTPSending {}
