/// The number of the pull request a preview environment serves, and the one place its
/// environment name `pr-<number>` is rendered and parsed.
///
/// Only the canonical spelling parses (`pr-7`, not `pr-07` or `pr-+7`), so a name round-trips
/// exactly through ``init(environment:)`` and ``environment``.
public struct PreviewNumber: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// What every preview environment's name starts with.
    public static let environmentPrefix = "pr-"

    /// The pull request's number.
    public var rawValue: Int

    /// Wraps a pull request number.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// The preview an environment name names; nil for any other environment.
    public init?(environment: some StringProtocol) {
        guard environment.hasPrefix(Self.environmentPrefix),
            let number = Int(environment.dropFirst(Self.environmentPrefix.count)),
            number >= 0,
            Self.environmentPrefix + String(number) == environment
        else { return nil }
        self.init(rawValue: number)
    }

    /// The preview whose environment a resource name (without the fleet's prefix) starts with:
    /// `pr-12-web-0-…` → 12; nil when the name does not start with a canonical `pr-<number>-`.
    public init?(leadingEnvironmentOf name: some StringProtocol) {
        let parts = name.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        self.init(environment: "\(parts[0])-\(parts[1])")
    }

    /// `pr-<number>`.
    public var environment: String { Self.environmentPrefix + String(self.rawValue) }

    /// True when `environment` names a preview.
    public static func isPreview(_ environment: some StringProtocol) -> Bool {
        PreviewNumber(environment: environment) != nil
    }

    /// The environment name.
    public var description: String { self.environment }

    /// Orders by number.
    public static func < (lhs: PreviewNumber, rhs: PreviewNumber) -> Bool { lhs.rawValue < rhs.rawValue }
}
