import Encoding

/// Random version-4 UUIDs: the idempotency keys (GCE `requestId` must be a UUID).
public enum IdempotencyKey {
    /// A fresh key, like `3f2b8c1e-9a4d-4c6e-8f10-2b7d5e9a1c34`.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return self.make(using: &generator)
    }

    /// A key from the given generator (tests pass a seeded one).
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { Hex.encode([$0]) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
