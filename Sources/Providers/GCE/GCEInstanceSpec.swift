/// What to insert: a TDX confidential VM as the fleet declares it.
public struct GCEInstanceSpec: Hashable, Sendable {
    /// The VM name (RFC 1035).
    public var name: String
    /// The zone.
    public var zone: String
    /// e.g. `c3-standard-4`.
    public var machineType: String
    /// `projects/IMGPROJ/global/images/family/FAMILY`.
    public var sourceImage: String
    /// Boot disk size.
    public var diskSizeGb: Int
    /// `global/networks/default`.
    public var network: String
    /// The subnetwork, if any.
    public var subnetwork: String?
    /// The service account email, or nil for `default`.
    public var serviceAccount: String?
    /// Metadata items (including `ee-config`).
    public var metadata: [GCEMetadata.Item]
    /// Labels (the fleet's ownership marks).
    public var labels: [String: String]

    /// Creates a spec.
    public init(
        name: String,
        zone: String,
        machineType: String,
        sourceImage: String,
        diskSizeGb: Int,
        network: String = "global/networks/default",
        subnetwork: String? = nil,
        serviceAccount: String? = nil,
        metadata: [GCEMetadata.Item],
        labels: [String: String]
    ) {
        self.name = name
        self.zone = zone
        self.machineType = machineType
        self.sourceImage = sourceImage
        self.diskSizeGb = diskSizeGb
        self.network = network
        self.subnetwork = subnetwork
        self.serviceAccount = serviceAccount
        self.metadata = metadata
        self.labels = labels
    }

    /// The `instances.insert` body: TDX, `onHostMaintenance: TERMINATE`, a gVNIC NIC, an NVMe-capable
    /// balanced boot disk, shielded VM on.
    public var body: [String: Any] {
        var interface: [String: Any] = [
            "network": self.network, "nicType": "GVNIC",
            "accessConfigs": [["type": "ONE_TO_ONE_NAT", "name": "External NAT"]],
        ]
        if let subnetwork { interface["subnetwork"] = subnetwork }
        return [
            "name": self.name,
            "machineType": "zones/\(self.zone)/machineTypes/\(self.machineType)",
            "confidentialInstanceConfig": ["confidentialInstanceType": "TDX"],
            "scheduling": ["onHostMaintenance": "TERMINATE", "automaticRestart": true],
            "shieldedInstanceConfig": ["enableSecureBoot": true, "enableVtpm": true, "enableIntegrityMonitoring": true],
            "disks": [
                [
                    "boot": true, "autoDelete": true, "type": "PERSISTENT",
                    "initializeParams": [
                        "sourceImage": self.sourceImage, "diskSizeGb": String(self.diskSizeGb),
                        "diskType": "zones/\(self.zone)/diskTypes/pd-balanced",
                    ],
                ]
            ],
            "networkInterfaces": [interface],
            "serviceAccounts": [["email": self.serviceAccount ?? "default", "scopes": ["https://www.googleapis.com/auth/cloud-platform"]]],
            "metadata": ["items": self.metadata.map { ["key": $0.key, "value": $0.value ?? ""] }],
            "labels": self.labels,
        ]
    }
}
