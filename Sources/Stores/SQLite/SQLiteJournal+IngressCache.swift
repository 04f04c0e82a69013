import Reconciler
import Spec

/// The ingress cache in the journal's `ingress` table. A failed read or write only costs a
/// configuration read next run, so errors are dropped.
extension SQLiteJournal: IngressCache {
    public func cachedIngress(for tunnelIDs: [String]) async -> [String: CachedIngress] {
        let wanted = Set(tunnelIDs)
        let rows =
            (try? await self.withConnection { connection throws(JournalError) in
                try connection.query("SELECT tunnel_id, rules, verified_at FROM ingress", []) { row in
                    (row.text(0), CachedIngress(rules: Self.rules(row.text(1)), verifiedAt: row.integer(2)))
                }
            }) ?? []
        return Dictionary(rows.filter { wanted.contains($0.0) }, uniquingKeysWith: { first, _ in first })
    }

    public func storeIngress(_ rules: [IngressRule], tunnelID: String, at time: Int64) async {
        let text = Self.text(rules)
        try? await self.withConnection { connection throws(JournalError) in
            try connection.execute(
                "INSERT OR REPLACE INTO ingress (tunnel_id, rules, verified_at) VALUES (?1, ?2, ?3)",
                [tunnelID, text, String(time)]
            )
        }
    }

    /// Rules as text: one `hostname<TAB>service` line each (an empty hostname is the catch-all).
    static func text(_ rules: [IngressRule]) -> String {
        rules.map { "\($0.hostname ?? "")\t\($0.service)" }.joined(separator: "\n")
    }

    /// The rules `text` wrote.
    static func rules(_ text: String) -> [IngressRule] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let host = parts.first.map(String.init) ?? ""
            return IngressRule(hostname: host.isEmpty ? nil : host, service: parts.count > 1 ? String(parts[1]) : "")
        }
    }
}
