import Synchronization

/// Applied revisions in memory (tests; a control plane with no state directory).
public final class MemoryRevisionStore: RevisionStore {
    private let revisions = Mutex<[String: Revision]>([:])

    /// An empty store.
    public init() {}

    public func appliedRevision(environment: String) async throws(JournalError) -> Revision? {
        self.revisions.withLock { $0[environment] }
    }

    public func recordApplied(_ revision: Revision, environment: String, now: Int64) async throws(JournalError) {
        self.revisions.withLock { $0[environment] = revision }
    }
}
