import Reconciler

extension VMStatus {
    /// The status of a GCE instance as `instances.list`/`get` spell it; an instance without a
    /// status is `UNKNOWN`, kept as ``VMStatus/other(_:)``.
    init(gceStatus: String?) {
        self.init(rawValue: gceStatus ?? "UNKNOWN")
    }
}
