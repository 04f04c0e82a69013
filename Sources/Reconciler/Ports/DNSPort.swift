/// What the reconciler needs from the DNS provider (Cloudflare).
public protocol DNSPort: Sendable {
    /// Every record of the zone, in one bulk list: owned ones to manage, foreign ones to avoid.
    func listRecords() async throws -> [ObservedDNSRecord]
    /// Creates a proxied CNAME to `<tunnelID>.cfargotunnel.com`; an identical record already
    /// there is adopted.
    func createCNAME(name: String, tunnelID: String, comment: String) async throws -> ApplyOutcome
    /// Makes an existing record a proxied CNAME to the tunnel, with `comment`.
    func updateCNAME(id: String, name: String, tunnelID: String, comment: String) async throws
    /// Deletes a record; one already gone is success.
    func deleteRecord(id: String) async throws -> ApplyOutcome
}
