/// A git commit id: 40 lowercase hexadecimal digits (SHA-1 object names).
public struct Revision: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The id, 40 lowercase hexadecimal digits.
    public let hex: String

    /// Parses a commit id; nil unless `text` is 40 hexadecimal digits (either case).
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 40, text.utf8.allSatisfy({ Self.isHexDigit($0) }) else { return nil }
        self.hex = text.lowercased()
    }

    /// The first 12 digits, for messages.
    public var short: String { String(self.hex.prefix(12)) }

    public var description: String { self.hex }

    public static func < (lhs: Revision, rhs: Revision) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let revision = Revision(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a 40-digit commit id"))
        }
        self = revision
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.hex)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
