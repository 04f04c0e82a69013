import Logging

/// Makes text safe for one log line: every control character (C0, DEL, C1), the line and
/// paragraph separators and the bidirectional controls are written as visible escapes (`\n`,
/// `\r`, `\t`, `\u{202E}`), so a logged field — an agent's claimed VM name, an error from a
/// server — can neither start a line of its own nor reorder what a terminal shows.
enum LogEscaping {
    /// `text` with every character ``needsEscape(_:)`` finds written as an escape.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard Self.needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    /// A metadata value with every string in it escaped.
    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(Self.escaped(text))
        case .stringConvertible(let convertible): .string(Self.escaped(convertible.description))
        case .array(let values): .array(values.map(Self.escaped))
        case .dictionary(let values): .dictionary(Self.escaped(values))
        }
    }

    /// Metadata with every key and value escaped.
    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Logger.Metadata(metadata.map { (Self.escaped($0.key), Self.escaped($0.value)) }) { _, last in last }
    }

    /// C0 controls, DEL, C1 controls, U+2028/U+2029, and the bidirectional controls (ALM,
    /// LRM, RLM, LRE…RLO, LRI…PDI).
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
