import Foundation

/// Everything the GCE emulator holds.
struct GCEEmulatorState: Sendable {
    struct Instance: Sendable {
        var id: UInt64
        var name: String
        var zone: String
        var machineType: String
        var status: String
        var labels: [String: String]
        var labelFingerprint: String
        var metadataItems: [[String: String]]
        var metadataFingerprint: String
        var created: Date
        var confidentialType: String
        var onHostMaintenance: String
        var listedFrom: Duration
        var unlistedFrom: Duration?
        var deleted = false
    }

    struct Operation: Sendable {
        var name: String
        var id: UInt64
        var zone: String
        var type: String
        var target: String
        var requestID: String?
        var inserted: Date
        var runningFrom: Duration
        var doneAt: Duration
        var error: String?
        var applied = false
    }

    var instances: [String: Instance] = [:]
    var order: [String] = []
    var operations: [String: Operation] = [:]
    var requestIDs: [String: String] = [:]
    var tokens: Set<String> = []
    var nextID: UInt64 = 1_000_000_000_000

    static func key(_ zone: String, _ name: String) -> String { "\(zone)/\(name)" }
}
