/// Sends one HTTP request and reads the whole response: AsyncHTTPClient in production
/// (``HTTPTransport``), a scripted fake in tests.
public protocol HTTPSending: Sendable {
    /// Sends a request.
    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?) async throws -> HTTPTransport.Response

    /// Sends a request that must be answered within `timeout` (nil: the sender's own timeout).
    /// Senders without timeouts of their own ignore it.
    func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration?) async throws -> HTTPTransport.Response
}

extension HTTPSending {
    /// Sends a request, ignoring `timeout`.
    public func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?, timeout: Duration?) async throws
        -> HTTPTransport.Response
    {
        try await self.send(method: method, url: url, headers: headers, body: body)
    }
}

extension HTTPTransport: HTTPSending {}
