/// A cursor over JSON bytes that skips whole values without decoding them.
struct RawJSONScanner {
    let bytes: [UInt8]
    /// The next byte to read.
    var index = 0

    /// Skips spaces, tabs and line breaks.
    mutating func skipWhitespace() {
        while self.index < self.bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(self.bytes[self.index]) { self.index += 1 }
    }

    /// Steps over `byte` when it is next; false otherwise.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
        self.index += 1
        return true
    }

    /// Skips a string starting at ``index`` (a quote), returning its raw content range.
    mutating func skipString() -> Range<Int>? {
        guard self.consume(UInt8(ascii: "\"")) else { return nil }
        let start = self.index
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: "\\"): self.index += 2
            case UInt8(ascii: "\""):
                self.index += 1
                return start..<self.index - 1
            default: self.index += 1
            }
        }
        return nil
    }

    /// Skips any value starting at ``index``.
    mutating func skipValue() -> Bool {
        self.skipWhitespace()
        guard self.index < self.bytes.count else { return false }
        switch self.bytes[self.index] {
        case UInt8(ascii: "\""): return self.skipString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["): return self.skipComposite()
        default:
            let ends: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")]
            while self.index < self.bytes.count, !ends.contains(self.bytes[self.index]) { self.index += 1 }
            return true
        }
    }

    /// Skips an object or array, strings inside it included, to just past its closing bracket.
    private mutating func skipComposite() -> Bool {
        var depth = 0
        while self.index < self.bytes.count {
            switch self.bytes[self.index] {
            case UInt8(ascii: "\""):
                guard self.skipString() != nil else { return false }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    self.index += 1
                    return true
                }
            default: break
            }
            self.index += 1
        }
        return false
    }
}
