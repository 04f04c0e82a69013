/// Limits that keep hostile YAML cheap to refuse. The defaults allow any realistic fleet file
/// (and the 10,000-workload benchmark fleet) with room to spare.
public struct YAMLLimits: Sendable, Hashable {
    /// The largest file accepted, in bytes.
    public var maximumBytes: Int = 16 * 1024 * 1024
    /// The deepest nesting of mappings and sequences accepted.
    public var maximumDepth: Int = 64
    /// The most nodes the document may hold once every alias is counted as a copy of its anchor.
    /// This is what stops "billion laughs" alias bombs.
    public var maximumExpandedNodes: Int = 2_000_000

    /// Creates limits; every parameter has a safe default.
    public init(
        maximumBytes: Int = 16 * 1024 * 1024,
        maximumDepth: Int = 64,
        maximumExpandedNodes: Int = 2_000_000
    ) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumExpandedNodes = maximumExpandedNodes
    }
}
