extension StructuredValue {
    /// Block-style YAML, ending with a newline. Strings are written plain only when YAML 1.1 and
    /// 1.2 both read them back as the same string; otherwise they are double-quoted (JSON escapes
    /// are valid YAML).
    public func yaml() -> String {
        var output = ""
        switch self {
        case .object(let pairs) where !pairs.isEmpty: Self.writeObject(pairs, into: &output, level: 0)
        case .array(let items) where !items.isEmpty: Self.writeArray(items, into: &output, level: 0)
        default:
            self.writeScalar(into: &output)
            output += "\n"
        }
        return output
    }

    private static func indent(_ level: Int, into output: inout String) {
        for _ in 0..<level { output += "  " }
    }

    private var isNonEmptyCollection: Bool {
        switch self {
        case .object(let pairs): !pairs.isEmpty
        case .array(let items): !items.isEmpty
        default: false
        }
    }

    private static func writeObject(_ pairs: [(String, StructuredValue)], into output: inout String, level: Int, firstInline: Bool = false) {
        for (index, (key, value)) in pairs.enumerated() {
            if !(firstInline && index == 0) { self.indent(level, into: &output) }
            Self.writeKey(key, into: &output)
            if value.isNonEmptyCollection {
                output += ":\n"
                if case .object(let inner) = value {
                    self.writeObject(inner, into: &output, level: level + 1)
                } else if case .array(let items) = value {
                    self.writeArray(items, into: &output, level: level)
                }
            } else {
                output += ": "
                value.writeScalar(into: &output)
                output += "\n"
            }
        }
    }

    private static func writeArray(_ items: [StructuredValue], into output: inout String, level: Int) {
        for item in items {
            self.indent(level, into: &output)
            output += "- "
            switch item {
            case .object(let pairs) where !pairs.isEmpty: self.writeObject(pairs, into: &output, level: level + 1, firstInline: true)
            case .array(let inner) where !inner.isEmpty:
                output += "\n"
                self.writeArray(inner, into: &output, level: level + 1)
            default:
                item.writeScalar(into: &output)
                output += "\n"
            }
        }
    }

    private static func writeKey(_ key: String, into output: inout String) {
        if Self.isPlainSafe(key) {
            output += key
        } else {
            JSONString.write(key, into: &output)
        }
    }

    private func writeScalar(into output: inout String) {
        switch self {
        case .string(let text):
            if Self.isPlainSafe(text) {
                output += text
            } else {
                JSONString.write(text, into: &output)
            }
        case .integer(let value): output += String(value)
        case .boolean(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array: output += "[]"
        case .object: output += "{}"
        }
    }

    /// True when `text` can be written unquoted and reads back as the same string.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        guard ASCII.isLower(first) || ASCII.isUpper(first) || first == UInt8(ascii: "/") || first == UInt8(ascii: "_") else {
            return false
        }
        guard last != UInt8(ascii: ":") else { return false }
        let allowed = text.utf8.allSatisfy { byte in
            ASCII.isLower(byte) || ASCII.isUpper(byte) || ASCII.isDigit(byte) || byte == 45 || byte == 46 || byte == 47 || byte == 95
                || byte == 58 || byte == 64 || byte == 61 || byte == 43
        }
        guard allowed, !text.contains(": ") else { return false }
        // Words YAML 1.1 or 1.2 read as booleans or nulls.
        let reserved: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
        return !reserved.contains(text.lowercased())
    }
}
