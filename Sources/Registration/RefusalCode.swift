import Attestation

/// Why the control plane refused a registration: one stable kebab-case code on the wire, and the
/// one place that says which refusals an agent retries.
///
/// The control plane sends these and the agent reads them, so both sides share this type. A code
/// this build does not know decodes as itself and is not retryable.
public struct RefusalCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The nonce was already used, expired, or never issued.
    public static let replayedNonce = RefusalCode(rawValue: "replayed-nonce")
    /// The agent speaks another protocol version.
    public static let version = RefusalCode(rawValue: "version")
    /// The registration names no VM or instance.
    public static let identity = RefusalCode(rawValue: "identity")
    /// The quote is not a TDX quote.
    public static let malformedQuote = RefusalCode(rawValue: "malformed-quote")
    /// The VM is not an agent VM of this environment.
    public static let unknownVM = RefusalCode(rawValue: "unknown-vm")
    /// The compute provider has no such instance (yet).
    public static let unknownInstance = RefusalCode(rawValue: "unknown-instance")
    /// The instance does not carry this fleet's and environment's labels.
    public static let foreignInstance = RefusalCode(rawValue: "foreign-instance")
    /// The instance has another id than the agent reported.
    public static let instanceMismatch = RefusalCode(rawValue: "instance-mismatch")
    /// The instance is not RUNNING.
    public static let instanceNotRunning = RefusalCode(rawValue: "instance-not-running")
    /// The agent's spec generation is not its VM's.
    public static let generationMismatch = RefusalCode(rawValue: "generation-mismatch")
    /// A live agent with another key holds the VM name.
    public static let alreadyRegistered = RefusalCode(rawValue: "already-registered")
    /// Another registration of the VM is in flight (its verdict or provisioning not done yet).
    public static let registrationInProgress = RefusalCode(rawValue: "registration-in-progress")
    /// No current collateral could be had from the PCCS, so the TCB status cannot be judged yet.
    public static let collateralUnavailable = RefusalCode(rawValue: "collateral-unavailable")

    /// Refusals that can pass by themselves: `already-registered` once the previous agent goes
    /// stale, `registration-in-progress` once the other registration is decided,
    /// `collateral-unavailable` once the PCCS answers, and the compute provider's view of the
    /// VM, which can change (or be the control plane's misconfiguration). Every other refusal
    /// (the quote, the policy, the TCB status, an instance id that is not this VM's) is final.
    private static let retryable: Set<RefusalCode> = [
        .alreadyRegistered, .registrationInProgress, .collateralUnavailable, .unknownInstance, .instanceNotRunning, .foreignInstance,
        .generationMismatch,
    ]

    /// The code as sent.
    public var rawValue: String

    /// Wraps a code as sent.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A code written as a literal.
    public init(stringLiteral value: String) {
        self.init(rawValue: value)
    }

    /// The code of a quote rejection (`mrtd`, `report-data`, …): the verifier's own code.
    public init(_ rejection: RejectionReason.Code) {
        self.init(rawValue: rejection.description)
    }

    /// True when the agent should try again with backoff rather than stop.
    public var isRetryable: Bool { Self.retryable.contains(self) }

    /// The raw code.
    public var description: String { self.rawValue }

    /// Decodes the bare string.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the bare string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.rawValue)
    }
}
