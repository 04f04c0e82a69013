/// A plain HTTP GET, as the PCCS client needs it. The Attestation module does no IO itself: the
/// CLI and services hand it a transport (AsyncHTTPClient in production, a stub in tests).
public protocol CollateralTransport: Sendable {
    /// Fetches `url`.
    func get(_ url: String) async throws -> CollateralHTTPResponse
}

/// What a GET returned.
public struct CollateralHTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Response headers; names compared case-insensitively by ``header(_:)``.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, any case.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return self.headers.first { $0.0.lowercased() == lowered }?.1
    }
}
