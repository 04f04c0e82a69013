/// The comment that marks a DNS record as a fleet's:
/// `managed-by=devopsdefender fleet=<fleet> env=<environment>`.
///
/// The one codec for it: the expander and the tunnel provisioner render it, the planner parses
/// it, observation filters on ``fleetMarker(fleet:)``. Tokens are separated by single spaces;
/// parsing ignores their order and any token it does not know (a writer's epoch, say).
public struct OwnershipComment: Hashable, Sendable {
    /// The token every comment of ours carries.
    public static let managedByToken = "managed-by=devopsdefender"

    /// The fleet's name (`metadata.name`).
    public var fleet: String
    /// The environment the record serves; nil when the comment names none.
    public var environment: String?

    /// The comment for a record of `environment` in `fleet`.
    public init(fleet: String, environment: String?) {
        self.fleet = fleet
        self.environment = environment
    }

    /// The fleet and environment a comment names; nil unless it carries ``managedByToken`` and a
    /// `fleet=` token.
    public init?(parsing comment: String) {
        let tokens = comment.split(separator: " ")
        guard tokens.contains(Substring(Self.managedByToken)),
            let fleet = Self.value(of: "fleet=", in: tokens)
        else { return nil }
        self.init(fleet: fleet, environment: Self.value(of: "env=", in: tokens))
    }

    /// The comment's text.
    public var rendered: String {
        let head = Self.fleetMarker(fleet: self.fleet)
        return self.environment.map { "\(head) env=\($0)" } ?? head
    }

    /// `managed-by=devopsdefender fleet=<fleet>`: what every comment of the fleet's records starts
    /// with, for a server-side `comment.contains` filter.
    public static func fleetMarker(fleet: String) -> String {
        "\(Self.managedByToken) fleet=\(fleet)"
    }

    private static func value(of key: String, in tokens: [Substring]) -> String? {
        tokens.first { $0.hasPrefix(key) }.map { String($0.dropFirst(key.count)) }
    }
}
