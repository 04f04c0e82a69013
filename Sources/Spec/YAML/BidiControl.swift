/// A Unicode bidirectional formatting character (Unicode's Bidi_Control property): the embeddings,
/// overrides and isolates, and the implicit marks. None has a place in a fleet file.
struct BidiControl: Sendable, Hashable, CustomStringConvertible {
    /// The code point.
    let scalar: UInt32

    /// The control character encoded by `utf8` (one whole UTF-8 sequence), or nil.
    init?<Bytes: Collection<UInt8>>(utf8: Bytes) {
        var decoder = UTF8()
        var iterator = utf8.makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), Self.names[scalar.value] != nil else { return nil }
        self.scalar = scalar.value
    }

    /// The code point as four hex digits, like `202E`.
    var hex: String {
        let digits = String(self.scalar, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `U+202E`.
    var description: String { "U+\(self.hex)" }

    /// The character's Unicode name, like `RIGHT-TO-LEFT OVERRIDE`.
    var name: String { Self.names[self.scalar] ?? "" }

    private static let names: [UInt32: String] = [
        0x061C: "ARABIC LETTER MARK",
        0x200E: "LEFT-TO-RIGHT MARK",
        0x200F: "RIGHT-TO-LEFT MARK",
        0x202A: "LEFT-TO-RIGHT EMBEDDING",
        0x202B: "RIGHT-TO-LEFT EMBEDDING",
        0x202C: "POP DIRECTIONAL FORMATTING",
        0x202D: "LEFT-TO-RIGHT OVERRIDE",
        0x202E: "RIGHT-TO-LEFT OVERRIDE",
        0x2066: "LEFT-TO-RIGHT ISOLATE",
        0x2067: "RIGHT-TO-LEFT ISOLATE",
        0x2068: "FIRST STRONG ISOLATE",
        0x2069: "POP DIRECTIONAL ISOLATE",
    ]
}
