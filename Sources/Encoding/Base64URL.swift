/// Base64url without padding (RFC 4648 §5): letters, digits, `-` and `_` only, so a value
/// survives every quoting layer unchanged.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { output.append(Self.alphabet[Int((value >> (18 - 6 * position)) & 0x3f)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// True when every character of `text` is in the base64url alphabet.
    public static func isAlphabet(_ text: String) -> Bool {
        text.utf8.allSatisfy { Self.alphabet.contains($0) }
    }

    /// Decodes `text`; nil when it holds a character outside the alphabet, padding, a length no
    /// encoding produces, or stray bits after the last byte (so each value has one encoding).
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        values.reserveCapacity(text.utf8.count)
        for character in text.utf8 {
            guard let value = Self.alphabet.firstIndex(of: character) else { return nil }
            values.append(UInt32(value))
        }
        guard values.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var value: UInt32 = 0
            for (offset, sextet) in chunk.enumerated() { value |= sextet << (18 - 6 * offset) }
            let byteCount = chunk.count - 1
            guard value & (0xff_ffff >> (8 * byteCount)) == 0 else { return nil }
            for position in 0..<byteCount { output.append(UInt8((value >> (16 - 8 * position)) & 0xff)) }
            index += 4
        }
        return output
    }

    /// Decodes base64 from elsewhere: either alphabet (`+/` or `-_`), with or without trailing
    /// `=` padding; otherwise as strict as ``decode(_:)``.
    public static func decodeLenient(_ text: String) -> [UInt8]? {
        var unpadded = Substring(text)
        while unpadded.last == "=" { unpadded = unpadded.dropLast() }
        let mapped = unpadded.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "+"): UInt8(ascii: "-")
            case UInt8(ascii: "/"): UInt8(ascii: "_")
            default: byte
            }
        }
        return Self.decode(String(decoding: mapped, as: UTF8.self))
    }
}
