/// A JSON-shaped value with ordered objects, written byte-for-byte deterministically as JSON or
/// YAML. Expansion output goes through it so that the same input always gives the same bytes.
public indirect enum StructuredValue: Sendable, Hashable {
    /// A string.
    case string(String)
    /// An integer.
    case integer(Int)
    /// A boolean.
    case boolean(Bool)
    /// null.
    case null
    /// An array.
    case array([StructuredValue])
    /// An object whose keys keep the order given.
    case object([(String, StructuredValue)])

    public static func == (lhs: StructuredValue, rhs: StructuredValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.boolean(let a), .boolean(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.json())
    }

    /// An object from pairs, dropping nil values.
    public static func object(_ pairs: [(String, StructuredValue?)]) -> StructuredValue {
        .object(pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    /// A string, or nil.
    public static func optional(_ text: String?) -> StructuredValue? {
        text.map(StructuredValue.string)
    }

    /// An object with keys sorted, from a dictionary of strings.
    public static func sortedStrings(_ dictionary: [String: String]) -> StructuredValue {
        .object(dictionary.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
    }

    /// Compact JSON (no spaces), the form hashed and stored in VM metadata.
    public func json() -> String {
        var output = ""
        self.writeJSON(into: &output, indent: nil, level: 0)
        return output
    }

    /// JSON indented by two spaces, ending with a newline.
    public func prettyJSON() -> String {
        var output = ""
        self.writeJSON(into: &output, indent: "  ", level: 0)
        output += "\n"
        return output
    }

    private func writeJSON(into output: inout String, indent: String?, level: Int) {
        switch self {
        case .string(let text): JSONString.write(text, into: &output)
        case .integer(let value): output += String(value)
        case .boolean(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let items):
            if items.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                Self.newline(into: &output, indent: indent, level: level + 1)
                item.writeJSON(into: &output, indent: indent, level: level + 1)
            }
            Self.newline(into: &output, indent: indent, level: level)
            output += "]"
        case .object(let pairs):
            if pairs.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { output += "," }
                Self.newline(into: &output, indent: indent, level: level + 1)
                JSONString.write(key, into: &output)
                output += indent == nil ? ":" : ": "
                value.writeJSON(into: &output, indent: indent, level: level + 1)
            }
            Self.newline(into: &output, indent: indent, level: level)
            output += "}"
        }
    }

    private static func newline(into output: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        output += "\n"
        for _ in 0..<level { output += indent }
    }
}

/// JSON string escaping (RFC 8259).
enum JSONString {
    static func write(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
