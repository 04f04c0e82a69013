/// One GCE instance as listed.
public struct ObservedVM: Sendable, Hashable {
    /// The instance name.
    public var name: String
    /// The zone (short name, like `us-central1-c`).
    public var zone: String
    /// The status as listed.
    public var status: VMStatus
    /// The labels.
    public var labels: [String: String]
    /// The `ee-config` metadata value, if set.
    public var eeConfig: String?

    /// Creates an observed VM.
    public init(name: String, zone: String, status: VMStatus = .running, labels: [String: String], eeConfig: String? = nil) {
        self.name = name
        self.zone = zone
        self.status = status
        self.labels = labels
        self.eeConfig = eeConfig
    }

    /// Stopped (`TERMINATED`, GCE's word for stopped): `instances.start` brings it back.
    public var isStopped: Bool { self.status == .terminated }

    /// Suspended (`SUSPENDED`): it needs `instances.resume`, which the reconciler leaves to
    /// an operator.
    public var isSuspended: Bool { self.status == .suspended }
}
