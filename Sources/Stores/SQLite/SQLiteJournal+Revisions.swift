import Reconciler

extension SQLiteJournal: RevisionStore {
    public func appliedRevision(environment: String) async throws(JournalError) -> Revision? {
        try await self.withConnection { connection throws(JournalError) in
            try connection.query("SELECT revision FROM applied_revisions WHERE environment = ?1", [environment]) { Revision($0.text(0)) }
                .first ?? nil
        }
    }

    public func recordApplied(_ revision: Revision, environment: String, now: Int64) async throws(JournalError) {
        try await self.withConnection { connection throws(JournalError) in
            try connection.execute(
                "INSERT OR REPLACE INTO applied_revisions (environment, revision, applied_at) VALUES (?1, ?2, ?3)",
                [environment, revision.hex, String(now)]
            )
        }
    }
}
