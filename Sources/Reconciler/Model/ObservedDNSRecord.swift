/// One Cloudflare DNS record as listed.
public struct ObservedDNSRecord: Sendable, Hashable {
    /// The record id.
    public var id: String
    /// The fully qualified name.
    public var name: String
    /// The type: CNAME, A, AAAA, TXT, …
    public var type: String
    /// The content (for a tunnel CNAME, `<tunnel id>.cfargotunnel.com`).
    public var content: String
    /// Whether Cloudflare proxies it.
    public var proxied: Bool
    /// The comment, which carries the ownership mark.
    public var comment: String?

    /// Creates an observed record.
    public init(id: String, name: String, type: String = "CNAME", content: String, proxied: Bool = true, comment: String? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.content = content
        self.proxied = proxied
        self.comment = comment
    }
}
