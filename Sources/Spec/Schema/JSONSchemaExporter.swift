/// Exports ``FleetSchema`` as a JSON Schema (draft 2020-12) for editors: yaml-language-server
/// reads it from a `# yaml-language-server: $schema=…` comment or its settings.
public enum JSONSchemaExporter {
    /// The schema's `$id`.
    public static let schemaID = "https://devopsdefender.com/schemas/fleet-v1.json"

    /// The whole schema document.
    public static func fleetSchema() -> StructuredValue {
        var definitions: [(String, StructuredValue)] = []
        var defined: Set<String> = []
        let root = self.object(FleetSchema.root, definitions: &definitions, defined: &defined, inline: true)
        guard case .object(var pairs) = root else { return root }
        pairs.insert(("$schema", .string("https://json-schema.org/draft/2020-12/schema")), at: 0)
        pairs.insert(("$id", .string(schemaID)), at: 1)
        pairs.insert(("title", .string("DevOps Defender fleet spec v1")), at: 2)
        definitions.append(("secretReference", self.secretReference))
        pairs.append(("$defs", .object(definitions.sorted { $0.0 < $1.0 })))
        return .object(pairs)
    }

    private static let secretReference = StructuredValue.object([
        ("description", .string("A reference to a secret; never the secret itself.")),
        ("type", .string("object")),
        (
            "properties",
            .object([
                ("env", .object([("type", .string("string")), ("pattern", .string(StringRule.variableName.pattern))])),
                ("file", .object([("type", .string("string")), ("pattern", .string(StringRule.secretPath.pattern))])),
            ])
        ),
        ("additionalProperties", .boolean(false)),
        ("minProperties", .integer(1)),
        ("maxProperties", .integer(1)),
    ])

    private static func object(
        _ object: SchemaObject,
        definitions: inout [(String, StructuredValue)],
        defined: inout Set<String>,
        inline: Bool = false
    ) -> StructuredValue {
        if let name = object.definitionName, !inline {
            let key = name.prefix(1).lowercased() + name.dropFirst()
            if defined.insert(key).inserted {
                let body = self.object(object, definitions: &definitions, defined: &defined, inline: true)
                definitions.append((key, body))
            }
            return .object([("$ref", .string("#/$defs/\(key)"))])
        }
        var properties: [(String, StructuredValue)] = []
        for field in object.fields {
            var property = self.type(field.type, definitions: &definitions, defined: &defined)
            if case .object(var pairs) = property, pairs.first?.0 != "$ref" {
                pairs.insert(("description", .string(field.summary)), at: 0)
                if let value = field.defaultValue, let parsed = self.defaultValue(value, type: field.type) {
                    pairs.append(("default", parsed))
                }
                property = .object(pairs)
            } else {
                property = .object([("description", .string(field.summary)), ("allOf", .array([property]))])
            }
            properties.append((field.name, property))
        }
        let required = object.fields.filter(\.isRequired).map { StructuredValue.string($0.name) }
        let exclusions = object.exclusiveGroups.map { group in
            StructuredValue.object([("not", .object([("required", .array(group.map(StructuredValue.string)))]))])
        }
        return .object([
            ("description", .string(object.summary)),
            ("type", .string("object")),
            ("properties", .object(properties)),
            ("required", required.isEmpty ? nil : .array(required)),
            ("additionalProperties", .boolean(false)),
            ("allOf", exclusions.isEmpty ? nil : .array(exclusions)),
        ])
    }

    private static func type(
        _ type: SchemaType,
        definitions: inout [(String, StructuredValue)],
        defined: inout Set<String>
    ) -> StructuredValue {
        switch type {
        case .object(let object): return self.object(object, definitions: &definitions, defined: &defined)
        case .dictionary(let keys, let values):
            return .object([
                ("type", .string("object")),
                ("propertyNames", self.string(keys)),
                ("additionalProperties", self.type(values, definitions: &definitions, defined: &defined)),
            ])
        case .list(let item, let minimumCount, let maximumCount):
            return .object([
                ("type", .string("array")),
                ("items", self.type(item, definitions: &definitions, defined: &defined)),
                ("minItems", minimumCount > 0 ? .integer(minimumCount) : nil),
                ("maxItems", maximumCount.map(StructuredValue.integer)),
            ])
        case .string(let rule, let allowed):
            if let allowed { return .object([("type", .string("string")), ("enum", .array(allowed.map(StructuredValue.string)))]) }
            guard let rule else { return .object([("type", .string("string"))]) }
            return self.string(rule)
        case .integer(let minimum, let maximum):
            return .object([("type", .string("integer")), ("minimum", .integer(minimum)), ("maximum", .integer(maximum))])
        case .boolean: return .object([("type", .string("boolean"))])
        case .secretReference: return .object([("$ref", .string("#/$defs/secretReference"))])
        case .stringOrObject(let rule, let object):
            return .object([
                (
                    "oneOf",
                    .array([self.string(rule), self.object(object, definitions: &definitions, defined: &defined)])
                )
            ])
        }
    }

    private static func string(_ rule: StringRule) -> StructuredValue {
        .object([
            ("type", .string("string")),
            ("pattern", .string(rule.pattern)),
            ("maxLength", rule.maximumLength.map(StructuredValue.integer)),
        ])
    }

    private static func defaultValue(_ text: String, type: SchemaType) -> StructuredValue? {
        switch type {
        case .boolean: return .boolean(text == "true")
        case .integer: return Int(text).map(StructuredValue.integer)
        case .string: return .string(text)
        case .list where text == "[]": return .array([])
        case .list(.string, _, _) where text.hasPrefix("[") && text.hasSuffix("]"):
            return .array(text.dropFirst().dropLast().split(separator: ",").map { .string($0.trimmingSpaces) })
        default: return nil
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
