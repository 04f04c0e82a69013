/// A composed YAML node: a scalar, a sequence or a mapping, with the place it was written.
///
/// Aliases are resolved while composing: an alias node is the anchored node itself (its storage is
/// shared, not copied), and ``YAMLComposer`` bounds how far aliases may multiply a document.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Content: Sendable {
        /// A scalar.
        case scalar(YAMLScalar)
        /// A sequence of nodes.
        case sequence([YAMLNode])
        /// A mapping, in document order (duplicate keys are kept so validation can report them).
        case mapping([YAMLPair])
    }

    /// What the node holds.
    public var content: Content
    /// Where the node starts.
    public var location: SourceLocation

    /// Creates a node.
    public init(_ content: Content, at location: SourceLocation) {
        self.content = content
        self.location = location
    }

    /// The scalar, if this is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = self.content { return scalar }
        return nil
    }

    /// The items, if this is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = self.content { return items }
        return nil
    }

    /// The pairs, if this is a mapping.
    public var mapping: [YAMLPair]? {
        if case .mapping(let pairs) = self.content { return pairs }
        return nil
    }

    /// The value of the first pair whose key is `key`, if this is a mapping.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = self.content else { return nil }
        for pair in pairs where pair.key.text == key {
            return pair.value
        }
        return nil
    }

    /// The text of the scalar if it is a string by YAML's core schema (quoted, or plain and not a
    /// null, boolean or number).
    public var string: String? {
        guard let scalar = self.scalar, scalar.resolvedKind == .string else { return nil }
        return scalar.text
    }

    /// The integer value of a plain integer scalar.
    public var integer: Int? {
        guard let scalar = self.scalar, scalar.resolvedKind == .integer else { return nil }
        return scalar.integerValue
    }

    /// The value of a plain boolean scalar.
    public var boolean: Bool? {
        guard let scalar = self.scalar, scalar.resolvedKind == .boolean else { return nil }
        return scalar.booleanValue
    }

    /// A short name for the node's kind, for messages ("a mapping", "a string", …).
    public var kindDescription: String {
        switch self.content {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar): scalar.resolvedKind.description
        }
    }
}

/// One key/value pair of a mapping.
public struct YAMLPair: Sendable {
    /// The key; always a scalar (the composer rejects complex keys).
    public var key: YAMLKey
    /// The value.
    public var value: YAMLNode

    /// Creates a pair.
    public init(key: YAMLKey, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A mapping key: its text and where it stands.
public struct YAMLKey: Sendable, Hashable {
    /// The key's text.
    public var text: String
    /// Where the key starts.
    public var location: SourceLocation

    /// Creates a key.
    public init(text: String, at location: SourceLocation) {
        self.text = text
        self.location = location
    }
}
