/// The zone has no capacity for the machine type right now (GCE `ZONE_RESOURCE_POOL_EXHAUSTED`).
/// The executor retries such a create after a pause, under a fresh idempotency key.
public struct StockoutError: Error, Sendable, CustomStringConvertible {
    /// The provider's message.
    public var message: String

    /// Creates the error.
    public init(message: String) { self.message = message }

    /// The message.
    public var description: String { self.message }
}
