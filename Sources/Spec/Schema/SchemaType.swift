/// The shape of a fleet file, written once and used three ways: to check a composed YAML document
/// (``SchemaChecker``), to export a JSON Schema for editors (``JSONSchemaExporter``) and to
/// document the fields.
public indirect enum SchemaType: Sendable {
    /// A mapping with a fixed set of fields.
    case object(SchemaObject)
    /// A mapping whose keys the user chooses (environments, workloads, labels).
    case dictionary(keys: StringRule, values: SchemaType)
    /// A list.
    case list(of: SchemaType, minimumCount: Int = 0, maximumCount: Int? = nil)
    /// A string, optionally bound by a rule or an enumeration.
    case string(rule: StringRule? = nil, allowed: [String]? = nil)
    /// An integer in a closed range.
    case integer(minimum: Int, maximum: Int)
    /// `true` or `false`.
    case boolean
    /// A secret reference: `{env: NAME}` or `{file: PATH}`, never a literal value.
    case secretReference
    /// Either a string or an object; the node's kind decides which.
    case stringOrObject(string: StringRule, object: SchemaObject)
}

/// A mapping with a fixed set of fields.
public struct SchemaObject: Sendable {
    /// The name under `$defs` in the JSON Schema, for objects used in several places.
    public var definitionName: String?
    /// What the object is.
    public var summary: String
    /// The fields, in documentation order.
    public var fields: [SchemaField]
    /// Groups of fields of which at most one may be given.
    public var exclusiveGroups: [[String]]

    /// Creates an object schema.
    public init(_ definitionName: String? = nil, summary: String, fields: [SchemaField], exclusiveGroups: [[String]] = []) {
        self.definitionName = definitionName
        self.summary = summary
        self.fields = fields
        self.exclusiveGroups = exclusiveGroups
    }

    /// The field called `name`.
    public func field(named name: String) -> SchemaField? {
        self.fields.first { $0.name == name }
    }
}

/// One field of an object.
public struct SchemaField: Sendable {
    /// The key.
    public var name: String
    /// The value's shape.
    public var type: SchemaType
    /// True when the field must be present.
    public var isRequired: Bool
    /// One line saying what the field does.
    public var summary: String
    /// The default, as it would be written in YAML, for optional fields that have one.
    public var defaultValue: String?

    /// Creates a field.
    public init(_ name: String, _ type: SchemaType, required: Bool = false, default defaultValue: String? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.isRequired = required
        self.summary = summary
        self.defaultValue = defaultValue
    }
}
