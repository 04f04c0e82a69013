/// Builds SSH wire encoding (RFC 4251 §5): the bytes a signature covers.
struct SSHWireWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends `raw` literally (no length prefix).
    mutating func writeBytes(_ raw: some Sequence<UInt8>) {
        self.bytes.append(contentsOf: raw)
    }

    /// Appends a `string`: a big-endian `uint32` length, then the bytes.
    mutating func writeString(_ value: some Collection<UInt8>) {
        let length = UInt32(value.count)
        self.bytes.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: length >> $0) })
        self.bytes.append(contentsOf: value)
    }

    /// Appends a UTF-8 `string`.
    mutating func writeString(_ text: String) {
        self.writeString(Array(text.utf8))
    }
}
