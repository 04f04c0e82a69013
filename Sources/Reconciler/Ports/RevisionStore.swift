/// Where the daemon keeps, per environment, the revision it reconciles towards, so a restart
/// applies the revision policy from where it stopped (a force-push while it was down is still
/// caught). A port: the SQLite store implements it beside the journal.
public protocol RevisionStore: Sendable {
    /// The revision last accepted for `environment`; nil before the first.
    func appliedRevision(environment: String) async throws(JournalError) -> Revision?
    /// Records that `environment` now reconciles towards `revision`.
    func recordApplied(_ revision: Revision, environment: String, now: Int64) async throws(JournalError)
}
