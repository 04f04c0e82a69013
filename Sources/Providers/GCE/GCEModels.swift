/// A GCE instance (the fields the fleet reads and writes).
public struct GCEInstance: Codable, Hashable, Sendable {
    /// The numeric id, as a string.
    public var id: String?
    /// The name.
    public var name: String
    /// PROVISIONING, STAGING, RUNNING, STOPPING, TERMINATED, ….
    public var status: String?
    /// The zone URL.
    public var zone: String?
    /// The machine type URL or partial URL.
    public var machineType: String?
    /// Labels.
    public var labels: [String: String]?
    /// The labels' fingerprint, needed by setLabels.
    public var labelFingerprint: String?
    /// Metadata items and their fingerprint.
    public var metadata: GCEMetadata?
    /// When created.
    public var creationTimestamp: String?
    /// The self link.
    public var selfLink: String?
    /// Confidential computing settings.
    public var confidentialInstanceConfig: ConfidentialInstanceConfig?
    /// Scheduling.
    public var scheduling: Scheduling?

    /// `{"confidentialInstanceType": "TDX"}`.
    public struct ConfidentialInstanceConfig: Codable, Hashable, Sendable {
        /// TDX, SEV, SEV_SNP, ….
        public var confidentialInstanceType: String?
    }

    /// Host maintenance behaviour.
    public struct Scheduling: Codable, Hashable, Sendable {
        /// TERMINATE (required for TDX) or MIGRATE.
        public var onHostMaintenance: String?
        /// Restart after a crash.
        public var automaticRestart: Bool?
    }
}

/// Instance metadata: key/value items and a fingerprint.
public struct GCEMetadata: Codable, Hashable, Sendable {
    /// One item.
    public struct Item: Codable, Hashable, Sendable {
        /// The key.
        public var key: String
        /// The value.
        public var value: String?

        /// Creates an item.
        public init(key: String, value: String?) {
            self.key = key
            self.value = value
        }
    }

    /// The fingerprint, needed by setMetadata.
    public var fingerprint: String?
    /// The items.
    public var items: [Item]?

    /// Creates metadata.
    public init(fingerprint: String? = nil, items: [Item]? = nil) {
        self.fingerprint = fingerprint
        self.items = items
    }
}

/// A zonal operation.
public struct GCEOperation: Codable, Hashable, Sendable {
    /// The operation's name.
    public var name: String
    /// PENDING, RUNNING or DONE.
    public var status: String
    /// insert, delete, stop, setLabels, setMetadata, ….
    public var operationType: String?
    /// The resource it acts on.
    public var targetLink: String?
    /// The zone URL.
    public var zone: String?
    /// Errors, when a DONE operation failed.
    public var error: OperationErrors?
    /// The HTTP status of a failure.
    public var httpErrorStatusCode: Int?
    /// The request id it was created with.
    public var clientOperationId: String?

    /// The errors of a failed operation.
    public struct OperationErrors: Codable, Hashable, Sendable {
        /// Each error.
        public var errors: [Entry]

        /// One error.
        public struct Entry: Codable, Hashable, Sendable {
            /// ZONE_RESOURCE_POOL_EXHAUSTED, QUOTA_EXCEEDED, ….
            public var code: String
            /// The message.
            public var message: String?
        }
    }
}

/// A page of `instances.list`.
struct GCEInstanceList: Decodable, Sendable {
    var items: [GCEInstance]?
    var nextPageToken: String?
}

/// A page of `instances.aggregatedList`.
public struct GCEAggregatedInstanceList: Decodable, Sendable {
    /// One zone's instances.
    public struct Scope: Decodable, Sendable {
        /// The instances (absent when the zone has none).
        public var instances: [GCEInstance]?
    }

    /// Instances by scope (`zones/<zone>`).
    public var items: [String: Scope]?
    /// The next page's token.
    public var nextPageToken: String?
    /// Zones that could not be listed.
    public var unreachables: [String]?
}

/// An image (from `images.getFromFamily`).
public struct GCEImage: Codable, Hashable, Sendable {
    /// The image name.
    public var name: String
    /// The family.
    public var family: String?
    /// The self link.
    public var selfLink: String?
}

/// Serial port output.
public struct GCESerialPortOutput: Codable, Hashable, Sendable {
    /// The text.
    public var contents: String
    /// Where it starts.
    public var start: String?
    /// Where the next read should start.
    public var next: String?
}
