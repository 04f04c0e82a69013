/// Reads the SSH wire encoding (RFC 4251 §5): big-endian `uint32`, length-prefixed `string` and
/// `mpint`. Every read fails (nil) rather than reading past the end, so a hostile length costs
/// nothing.
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset: Int

    /// A reader at the start of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    /// True when every byte has been read.
    var isAtEnd: Bool { self.offset == self.bytes.count }

    /// The next `count` bytes, taken literally (no length prefix).
    mutating func readBytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, self.bytes.count - self.offset >= count else { return nil }
        defer { self.offset += count }
        return Array(self.bytes[self.offset..<self.offset + count])
    }

    /// A big-endian 32-bit unsigned integer.
    mutating func readUInt32() -> UInt32? {
        guard let four = self.readBytes(4) else { return nil }
        return four.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A `string`: a `uint32` length, then that many bytes.
    mutating func readString() -> [UInt8]? {
        guard let length = self.readUInt32(), let count = Int(exactly: length) else { return nil }
        return self.readBytes(count)
    }

    /// A `string` that must be valid UTF-8 (names, namespaces).
    mutating func readText() -> String? {
        guard let bytes = self.readString() else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// A non-negative `mpint` as its magnitude, big-endian, without leading zero bytes (zero is
    /// empty). Nil for a negative value (the top bit of the first byte set), as OpenSSH refuses
    /// those too; a redundant leading zero is tolerated, as OpenSSH does.
    mutating func readUnsignedMPInt() -> [UInt8]? {
        guard let bytes = self.readString() else { return nil }
        if let first = bytes.first, first & 0x80 != 0 { return nil }
        return Array(bytes.drop(while: { $0 == 0 }))
    }
}
