import Encoding

/// A JSON value read by the small, strict parser collateral is decoded with: RFC 8259's grammar,
/// at most ``maximumDepth`` levels of nesting; bytes inside a string that are not UTF-8 are
/// repaired, not refused (the signatures are over the raw bytes, checked apart). A cold verification reads a TCB Info of several
/// hundred SVN components; this reads it several times faster than `JSONDecoder`, which
/// dominated a cold verification's time.
enum CollateralJSON: Equatable, Sendable {
    case object([String: CollateralJSON])
    case array([CollateralJSON])
    case string(String)
    /// A number; ``integer`` is set when it is a whole number that fits an `Int`.
    case number(Double, integer: Int?)
    case bool(Bool)
    case null

    /// Why bytes are not JSON, or not the JSON expected.
    struct Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The deepest nesting accepted (collateral nests five levels).
    static let maximumDepth = 32

    /// Parses `bytes` as one JSON value (surrounding whitespace allowed, nothing else).
    static func parse(_ bytes: some Collection<UInt8>) throws(Invalid) -> CollateralJSON {
        var parser = CollateralJSONParser(bytes: Array(bytes))
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.invalid("text after the JSON value") }
        return value
    }

    // MARK: Reading members

    /// The member `key` of an object.
    func member(_ key: String) throws(Invalid) -> CollateralJSON {
        guard case .object(let members) = self else { throw Invalid(description: "expected an object holding \(key)") }
        guard let value = members[key] else { throw Invalid(description: "\(key) is missing") }
        return value
    }

    /// The member `key`, or nil when it is absent or null.
    func optionalMember(_ key: String) throws(Invalid) -> CollateralJSON? {
        guard case .object(let members) = self else { throw Invalid(description: "expected an object holding \(key)") }
        if case .null = members[key] { return nil }
        return members[key]
    }

    /// The string member `key`.
    func string(_ key: String) throws(Invalid) -> String {
        guard case .string(let text) = try self.member(key) else { throw Invalid(description: "\(key) is not a string") }
        return text
    }

    /// The integer member `key`.
    func integer(_ key: String) throws(Invalid) -> Int {
        guard case .number(_, let integer?) = try self.member(key) else { throw Invalid(description: "\(key) is not an integer") }
        return integer
    }

    /// The array member `key`'s elements.
    func array(_ key: String) throws(Invalid) -> [CollateralJSON] {
        guard case .array(let elements) = try self.member(key) else { throw Invalid(description: "\(key) is not an array") }
        return elements
    }

    /// The array member `key`'s strings, or nil when absent.
    func optionalStrings(_ key: String) throws(Invalid) -> [String]? {
        guard let value = try self.optionalMember(key) else { return nil }
        guard case .array(let elements) = value else { throw Invalid(description: "\(key) is not an array") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw Invalid(description: "\(key) holds a non-string") }
            strings.append(text)
        }
        return strings
    }
}

/// The recursive-descent parser behind ``CollateralJSON/parse(_:)``.
struct CollateralJSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    func invalid(_ what: String) -> CollateralJSON.Invalid {
        CollateralJSON.Invalid(description: "not JSON at byte \(self.index): \(what)")
    }

    mutating func skipWhitespace() {
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case 0x20, 0x09, 0x0A, 0x0D: self.index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(CollateralJSON.Invalid) -> CollateralJSON {
        guard depth <= CollateralJSON.maximumDepth else { throw self.invalid("nested deeper than \(CollateralJSON.maximumDepth)") }
        self.skipWhitespace()
        guard self.index < self.bytes.count else { throw self.invalid("the text ends where a value should be") }
        switch self.bytes[self.index] {
        case UInt8(ascii: "{"): return try self.object(depth: depth)
        case UInt8(ascii: "["): return try self.array(depth: depth)
        case UInt8(ascii: "\""): return .string(try self.string())
        case UInt8(ascii: "t"): return try self.literal("true", .bool(true))
        case UInt8(ascii: "f"): return try self.literal("false", .bool(false))
        case UInt8(ascii: "n"): return try self.literal("null", .null)
        default: return try self.number()
        }
    }

    private mutating func object(depth: Int) throws(CollateralJSON.Invalid) -> CollateralJSON {
        self.index += 1
        var members: [String: CollateralJSON] = [:]
        self.skipWhitespace()
        if self.consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            self.skipWhitespace()
            guard self.index < self.bytes.count, self.bytes[self.index] == UInt8(ascii: "\"") else { throw self.invalid("expected a member name") }
            let key = try self.string()
            self.skipWhitespace()
            guard self.consume(UInt8(ascii: ":")) else { throw self.invalid("expected ':' after a member name") }
            members[key] = try self.value(depth: depth + 1)
            self.skipWhitespace()
            if self.consume(UInt8(ascii: ",")) { continue }
            guard self.consume(UInt8(ascii: "}")) else { throw self.invalid("expected ',' or '}' in an object") }
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(CollateralJSON.Invalid) -> CollateralJSON {
        self.index += 1
        var elements: [CollateralJSON] = []
        self.skipWhitespace()
        if self.consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            elements.append(try self.value(depth: depth + 1))
            self.skipWhitespace()
            if self.consume(UInt8(ascii: ",")) { continue }
            guard self.consume(UInt8(ascii: "]")) else { throw self.invalid("expected ',' or ']' in an array") }
            return .array(elements)
        }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    private mutating func literal(_ word: String, _ value: CollateralJSON) throws(CollateralJSON.Invalid) -> CollateralJSON {
        let count = word.utf8.count
        guard self.index + count <= self.bytes.count, self.bytes[self.index..<self.index + count].elementsEqual(word.utf8) else {
            throw self.invalid("expected \(word)")
        }
        self.index += count
        return value
    }

    /// A string starting at its opening quote; escapes decoded, control characters refused.
    private mutating func string() throws(CollateralJSON.Invalid) -> String {
        self.index += 1
        let start = self.index
        // The common case: no escapes, so the bytes are the string.
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            if byte == UInt8(ascii: "\"") {
                defer { self.index += 1 }
                return String(decoding: self.bytes[start..<self.index], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw self.invalid("a control character inside a string") }
            self.index += 1
        }
        var scalars = Array(self.bytes[start..<self.index])
        while self.index < self.bytes.count {
            let byte = self.bytes[self.index]
            self.index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"): scalars += try self.escape()
            case ..<0x20: throw self.invalid("a control character inside a string")
            default: scalars.append(byte)
            }
        }
        throw self.invalid("a string that never ends")
    }

    /// The UTF-8 bytes of the escape after a backslash.
    private mutating func escape() throws(CollateralJSON.Invalid) -> [UInt8] {
        guard self.index < self.bytes.count else { throw self.invalid("a string that never ends") }
        let byte = self.bytes[self.index]
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            var code = try self.hexQuad()
            if (0xD800..<0xDC00).contains(code) {
                guard self.consume(UInt8(ascii: "\\")), self.consume(UInt8(ascii: "u")) else { throw self.invalid("a lone surrogate") }
                let low = try self.hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw self.invalid("a lone surrogate") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw self.invalid("a lone surrogate") }
            return Array(String(Character(scalar)).utf8)
        default: throw self.invalid("an unknown escape")
        }
    }

    private mutating func hexQuad() throws(CollateralJSON.Invalid) -> UInt32 {
        guard self.index + 4 <= self.bytes.count else { throw self.invalid("a short \\u escape") }
        var code: UInt32 = 0
        for byte in self.bytes[self.index..<self.index + 4] {
            guard let digit = Hex.value(byte) else { throw self.invalid("a \\u escape that is not hex") }
            code = code << 4 | UInt32(digit)
        }
        self.index += 4
        return code
    }

    /// A number as RFC 8259 writes it: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(CollateralJSON.Invalid) -> CollateralJSON {
        let start = self.index
        _ = self.consume(UInt8(ascii: "-"))
        guard try self.digits(leadingZeroAllowed: false) else { throw self.invalid("expected a value") }
        var whole = true
        if self.consume(UInt8(ascii: ".")) {
            whole = false
            guard try self.digits(leadingZeroAllowed: true) else { throw self.invalid("a number with no digits after '.'") }
        }
        let exponent = self.consume(UInt8(ascii: "e")) ? true : self.consume(UInt8(ascii: "E"))
        if exponent {
            whole = false
            if !self.consume(UInt8(ascii: "+")) { _ = self.consume(UInt8(ascii: "-")) }
            guard try self.digits(leadingZeroAllowed: true) else { throw self.invalid("a number with no exponent digits") }
        }
        let text = String(decoding: self.bytes[start..<self.index], as: UTF8.self)
        guard let double = Double(text) else { throw self.invalid("a number out of range") }
        return .number(double, integer: whole ? Int(text) : nil)
    }

    /// Reads a run of digits; false when there is none. A leading zero must stand alone unless allowed.
    private mutating func digits(leadingZeroAllowed: Bool) throws(CollateralJSON.Invalid) -> Bool {
        let start = self.index
        while self.index < self.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self.bytes[self.index]) { self.index += 1 }
        if !leadingZeroAllowed, self.index - start > 1, self.bytes[start] == UInt8(ascii: "0") { throw self.invalid("a number with a leading zero") }
        return self.index > start
    }
}
