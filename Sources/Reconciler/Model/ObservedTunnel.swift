import Spec

/// One live Cloudflare tunnel as listed, with its remote configuration when it was read.
public struct ObservedTunnel: Sendable, Hashable {
    /// The tunnel id (a UUID).
    public var id: String
    /// The name.
    public var name: String
    /// Connected connectors' edge connections.
    public var connections: Int
    /// The ingress rules of its remote configuration; nil when the configuration was not read.
    public var ingress: [IngressRule]?

    /// Creates an observed tunnel.
    public init(id: String, name: String, connections: Int = 0, ingress: [IngressRule]? = nil) {
        self.id = id
        self.name = name
        self.connections = connections
        self.ingress = ingress
    }
}
