/// A scalar's text and how it was written, resolved by the YAML 1.2 core schema.
///
/// Only plain (unquoted) scalars can be nulls, booleans or numbers. `yes`, `no`, `on` and `off`
/// are strings, as YAML 1.2 says (YAML 1.1 made them booleans: the "Norway problem").
public struct YAMLScalar: Sendable {
    /// How a scalar was written.
    public enum Style: Sendable, Hashable {
        /// Unquoted.
        case plain
        /// `'…'`
        case singleQuoted
        /// `"…"`
        case doubleQuoted
        /// `|`
        case literal
        /// `>`
        case folded
    }

    /// The type a scalar resolves to.
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        /// `null`, `~` or nothing at all.
        case null
        /// `true` or `false`.
        case boolean
        /// A decimal, octal (`0o`) or hexadecimal (`0x`) integer.
        case integer
        /// A floating-point number.
        case float
        /// Anything else, and every quoted or block scalar.
        case string

        public var description: String {
            switch self {
            case .null: "null"
            case .boolean: "a boolean"
            case .integer: "an integer"
            case .float: "a number"
            case .string: "a string"
            }
        }
    }

    /// The scalar's text after YAML unescaping and folding.
    public var text: String
    /// How it was written.
    public var style: Style
    /// What it resolves to.
    public let resolvedKind: Kind

    /// Creates a scalar and resolves its kind.
    public init(text: String, style: Style) {
        self.text = text
        self.style = style
        self.resolvedKind = style == .plain ? Self.resolve(plain: text) : .string
    }

    /// The value of an integer scalar (nil when it does not fit in `Int`).
    public var integerValue: Int? {
        var text = Substring(self.text)
        var negative = false
        if let sign = text.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            text = text.dropFirst()
        }
        let magnitude: Int?
        if text.hasPrefix("0x") {
            magnitude = Int(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0o") {
            magnitude = Int(text.dropFirst(2), radix: 8)
        } else {
            magnitude = Int(text, radix: 10)
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// The value of a boolean scalar.
    public var booleanValue: Bool? {
        switch self.text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// Resolves a plain scalar by the YAML 1.2 core schema's regular expressions.
    static func resolve(plain text: String) -> Kind {
        let bytes = Array(text.utf8)
        guard let first = bytes.first else { return .null }
        // Fast path: most scalars start with a letter that no special form starts with.
        switch first {
        case UInt8(ascii: "~"):
            return bytes.count == 1 ? .null : .string
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            return text == "null" || text == "Null" || text == "NULL" ? .null : .string
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            switch text {
            case "true", "True", "TRUE", "false", "False", "FALSE": return .boolean
            default: return .string
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return Self.resolveNumber(bytes)
        default:
            return .string
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    private static func resolveNumber(_ bytes: [UInt8]) -> Kind {
        var index = 0
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
        let rest = bytes[index...]
        if rest.isEmpty { return .string }
        // Special floats: .inf, .Inf, .INF (signed), .nan, .NaN, .NAN (unsigned).
        let special = String(decoding: rest, as: UTF8.self)
        if [".inf", ".Inf", ".INF"].contains(special) { return .float }
        if [".nan", ".NaN", ".NAN"].contains(special) { return index == 0 ? .float : .string }
        if index == 0, bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "x") {
                let hex = bytes[2...].allSatisfy { Self.isDigit($0) || (97...102).contains($0) || (65...70).contains($0) }
                return hex ? .integer : .string
            }
            if bytes[1] == UInt8(ascii: "o") {
                return bytes[2...].allSatisfy { (48...55).contains($0) } ? .integer : .string
            }
        }
        if rest.allSatisfy(Self.isDigit) { return .integer }
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var position = rest.startIndex
        var mantissaDigits = 0
        while position < rest.endIndex, Self.isDigit(rest[position]) {
            position += 1
            mantissaDigits += 1
        }
        if position < rest.endIndex, rest[position] == UInt8(ascii: ".") {
            position += 1
            while position < rest.endIndex, Self.isDigit(rest[position]) {
                position += 1
                mantissaDigits += 1
            }
        }
        if mantissaDigits == 0 { return .string }
        if position < rest.endIndex, rest[position] == UInt8(ascii: "e") || rest[position] == UInt8(ascii: "E") {
            position += 1
            if position < rest.endIndex, rest[position] == UInt8(ascii: "-") || rest[position] == UInt8(ascii: "+") {
                position += 1
            }
            var exponentDigits = 0
            while position < rest.endIndex, Self.isDigit(rest[position]) {
                position += 1
                exponentDigits += 1
            }
            if exponentDigits == 0 { return .string }
        }
        return position == rest.endIndex ? .float : .string
    }
}
