/// Walks the WebSocket frames a client sends, header by header, to find the first one without a
/// mask: RFC 6455 (§5.1) requires every client frame to be masked and the server to close the
/// connection (status 1002) on one that is not. Payloads are skipped, not copied. Pure.
struct ClientFrameCheck: Sendable {
    /// The header bytes of the frame being read (at most 14).
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to pass.
    private var payloadLeft: UInt64 = 0

    /// Reads `bytes`; false once a frame without a mask has started in them.
    mutating func accept(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if self.payloadLeft > 0 {
                let step = Int(min(self.payloadLeft, UInt64(bytes.distance(from: index, to: bytes.endIndex))))
                index = bytes.index(index, offsetBy: step)
                self.payloadLeft -= UInt64(step)
                continue
            }
            self.header.append(bytes[index])
            index = bytes.index(after: index)
            guard self.header.count >= 2 else { continue }
            guard self.header[1] & 0x80 != 0 else { return false }
            let shortLength = self.header[1] & 0x7F
            let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
            guard self.header.count == 2 + lengthBytes + 4 else { continue }
            self.payloadLeft = lengthBytes == 0 ? UInt64(shortLength) : self.header[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) }
            self.header = []
        }
        return true
    }
}
