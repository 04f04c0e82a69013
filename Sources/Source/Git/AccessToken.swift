/// A secret that authenticates to the remote. It prints, dumps and reflects as `<redacted>`, so
/// logging a ``GitSourceLibGit2/Configuration`` never shows it; only ``basicAuthorization``
/// reveals it, to build the one header that carries it.
public struct AccessToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself.
    let value: String

    /// Wraps `value` (for GitHub: a PAT, an installation token or an Actions `GITHUB_TOKEN`).
    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    /// The `Authorization` header value GitHub accepts for a token over smart HTTP:
    /// `Basic base64("x-access-token:" + token)`.
    var basicAuthorization: String {
        "Basic " + Self.base64(Array("x-access-token:\(self.value)".utf8))
    }

    /// The strings an error message must never contain: the token and the header value built
    /// from it.
    var secrets: [String] { [self.value, self.basicAuthorization, String(self.basicAuthorization.dropFirst(6))] }

    /// Standard base64 with padding (RFC 4648 §4), which HTTP Basic uses.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for (offset, byte) in chunk.enumerated() { value |= UInt32(byte) << (16 - 8 * offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int((value >> (18 - 6 * position)) & 0x3f)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}
