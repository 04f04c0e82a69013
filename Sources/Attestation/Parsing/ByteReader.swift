/// A bounds-checked little-endian reader over a region of a byte array.
///
/// Reads return slices of the original storage, so parsing copies nothing. Every read that would
/// pass `end` throws ``QuoteParseError/Code/truncated`` naming the field, instead of trapping.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { self.end - self.position }

    mutating func bytes(_ count: Int, _ field: String) throws(QuoteParseError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= self.remaining else {
            throw QuoteParseError(
                .truncated,
                at: self.position,
                "\(field) needs \(count) bytes but only \(max(self.remaining, 0)) remain"
            )
        }
        defer { self.position += count }
        return self.bytes[self.position..<self.position + count]
    }

    mutating func uint16(_ field: String) throws(QuoteParseError) -> UInt16 {
        let slice = try self.bytes(2, field)
        return UInt16(slice[slice.startIndex]) | UInt16(slice[slice.startIndex + 1]) << 8
    }

    mutating func uint32(_ field: String) throws(QuoteParseError) -> UInt32 {
        let slice = try self.bytes(4, field)
        return slice.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    mutating func uint64(_ field: String) throws(QuoteParseError) -> UInt64 {
        let slice = try self.bytes(8, field)
        return slice.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Reads a u16 type field and requires it to be `expected`; otherwise
    /// ``QuoteParseError/Code/unsupportedCertificationDataType`` naming the field and what was expected.
    mutating func expectType(_ expected: UInt16, _ field: String, meaning: String) throws(QuoteParseError) {
        let offset = self.position
        let found = try self.uint16(field)
        guard found == expected else {
            throw QuoteParseError(
                .unsupportedCertificationDataType,
                at: offset,
                "\(field) \(found) is not supported; expected \(expected) (\(meaning))"
            )
        }
    }

    /// Reads a length field and returns a reader over exactly that many following bytes, which this
    /// reader then skips. A length that passes the end is ``QuoteParseError/Code/lengthOutOfBounds``.
    mutating func lengthPrefixed32(_ field: String) throws(QuoteParseError) -> ByteReader {
        let lengthOffset = self.position
        let length = Int(try self.uint32("\(field) length"))
        guard length <= self.remaining else {
            throw QuoteParseError(
                .lengthOutOfBounds,
                at: lengthOffset,
                "\(field) length \(length) exceeds the \(self.remaining) bytes that remain"
            )
        }
        defer { self.position += length }
        return ByteReader(self.bytes, from: self.position, to: self.position + length)
    }
}
