/// One logical API call: retried, rate-limited and measured by ``RESTClient``.
public struct RESTRequest: Sendable {
    /// GET, POST, PUT, PATCH, DELETE.
    public var method: String
    /// The path below the client's base URL, e.g. `/accounts/…/cfd_tunnel`.
    public var path: String
    /// Query parameters, in order (values are percent-encoded by the client).
    public var query: [(String, String)]
    /// A JSON body.
    public var body: [UInt8]?
    /// The operation's name for logs and metrics, e.g. `tunnels.create`.
    public var operation: String
    /// The rate-limit group.
    public var rateGroup: String
    /// True when repeating the call cannot apply it twice: every method but POST, and a POST
    /// carrying an idempotency key (GCE's `requestId`).
    public var idempotent: Bool

    /// Creates a request; `idempotent` defaults to "not a POST".
    public init(
        _ method: String,
        _ path: String,
        query: [(String, String)] = [],
        body: [UInt8]? = nil,
        operation: String,
        rateGroup: String,
        idempotent: Bool? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.operation = operation
        self.rateGroup = rateGroup
        self.idempotent = idempotent ?? (method != "POST")
    }
}
