/// The lifecycle state of a VM as the compute provider last reported it.
///
/// The raw values are GCE's words (the plan shows them as they are: `stopped (TERMINATED)`); the
/// provider maps its wire value in. A status this build does not know is kept verbatim as
/// ``other(_:)`` — never dropped, never mistaken for a known one — and compares by its text.
public enum VMStatus: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Resources are being allocated.
    case provisioning
    /// Resources are allocated; the VM is about to boot.
    case staging
    /// Booted (or booting).
    case running
    /// Stopping, on the way to ``terminated``.
    case stopping
    /// Stopped (GCE's word): `instances.start` brings it back.
    case terminated
    /// Suspending, on the way to ``suspended``.
    case suspending
    /// Suspended: it needs `instances.resume`.
    case suspended
    /// Being repaired by the provider.
    case repairing
    /// Any other status, spelled as the provider spelled it.
    case other(String)

    private static let known: [VMStatus] = [
        .provisioning, .staging, .running, .stopping, .terminated, .suspending, .suspended, .repairing,
    ]

    /// The status spelled `rawValue`; ``other(_:)`` when it is none of the known ones.
    public init(rawValue: String) {
        self = Self.known.first { $0.rawValue == rawValue } ?? .other(rawValue)
    }

    /// A status written as a literal (`"RUNNING"`).
    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    /// The status in GCE's words.
    public var rawValue: String {
        switch self {
        case .provisioning: "PROVISIONING"
        case .staging: "STAGING"
        case .running: "RUNNING"
        case .stopping: "STOPPING"
        case .terminated: "TERMINATED"
        case .suspending: "SUSPENDING"
        case .suspended: "SUSPENDED"
        case .repairing: "REPAIRING"
        case .other(let text): text
        }
    }

    /// The raw value.
    public var description: String { self.rawValue }

    /// Equal when spelled the same, so `.other("RUNNING")` is ``running``.
    public static func == (lhs: VMStatus, rhs: VMStatus) -> Bool { lhs.rawValue == rhs.rawValue }

    /// Hashes the spelling, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(self.rawValue) }
}
