import Spec

/// A tunnel's ingress as last read (or written) by the reconciler.
public struct CachedIngress: Sendable, Hashable {
    /// The rules.
    public var rules: [IngressRule]
    /// When they were read or written, in seconds since 1970.
    public var verifiedAt: Int64

    /// Creates an entry.
    public init(rules: [IngressRule], verifiedAt: Int64) {
        self.rules = rules
        self.verifiedAt = verifiedAt
    }
}
