/// The key of a label DevOps Defender stamps on the GCE instances it creates.
///
/// Every key starts with ``prefix`` (`dd-`), which the schema reserves, so a user label never
/// collides with one and the planner can tell the labels it manages from the rest.
public struct LabelKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The prefix of every managed label key.
    public static let prefix = "dd-"

    /// The fleet's name (`metadata.name`): the ownership mark of an instance.
    public static let fleet = LabelKey(rawValue: "dd-fleet")
    /// The environment the instance serves (`production`, `pr-12`, …).
    public static let environment = LabelKey(rawValue: "dd-env")
    /// `cp` or `agent`.
    public static let role = LabelKey(rawValue: "dd-role")
    /// The pool (`cp` for control planes).
    public static let pool = LabelKey(rawValue: "dd-pool")
    /// The generation: the hash of the rendered configuration.
    public static let spec = LabelKey(rawValue: "dd-spec")
    /// The fencing epoch of the writer that created the instance.
    public static let epoch = LabelKey(rawValue: "dd-epoch")

    /// The key as GCE stores it.
    public var rawValue: String

    /// Wraps a key as it appears on the wire.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// True when `key` has the reserved prefix, whether or not it is one of the keys above.
    public static func isManaged(_ key: some StringProtocol) -> Bool {
        key.hasPrefix(Self.prefix)
    }

    /// The raw key.
    public var description: String { self.rawValue }
}
