/// Byte-exact access to a JSON document, for signed members that must not be re-serialised.
enum RawJSON {
    /// The byte range of the object value of top-level member `name`, or nil.
    static func objectMember(_ name: String, in bytes: [UInt8]) -> Range<Int>? {
        var scanner = RawJSONScanner(bytes: bytes)
        scanner.skipWhitespace()
        guard scanner.consume(UInt8(ascii: "{")) else { return nil }
        let target = Array(name.utf8)
        while true {
            scanner.skipWhitespace()
            guard let key = scanner.skipString() else { return nil }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            let valueStart = scanner.index
            guard scanner.skipValue() else { return nil }
            if Array(bytes[key]) == target, bytes[valueStart] == UInt8(ascii: "{") { return valueStart..<scanner.index }
            scanner.skipWhitespace()
            guard scanner.consume(UInt8(ascii: ",")) else { return nil }
        }
    }
}
