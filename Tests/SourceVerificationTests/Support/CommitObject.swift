import Foundation

/// Splits a raw commit object the way git does for signature checks: the `gpgsig` header and
/// its continuation lines (which start with a space) are the signature; everything else,
/// byte for byte, is the signed payload. Also re-inserts a signature, for crafted commits.
enum CommitObject {
    /// The payload (object without the `gpgsig` header) and the signature (nil when absent),
    /// each continuation line without its leading space and ending in a newline.
    static func split(_ object: [UInt8]) -> (payload: [UInt8], signature: String?) {
        var payload: [UInt8] = []
        var signature: [UInt8]? = nil
        var inHeader = true
        var inSignature = false
        for line in self.lines(object) {
            if inHeader, line == [0x0a] { inHeader = false }
            if inHeader, inSignature, line.first == 0x20 {
                signature?.append(contentsOf: line.dropFirst())
                continue
            }
            inSignature = false
            if inHeader, line.starts(with: Array("gpgsig ".utf8)) {
                signature = Array(line.dropFirst("gpgsig ".utf8.count))
                inSignature = true
                continue
            }
            payload.append(contentsOf: line)
        }
        return (payload, signature.map { String(decoding: $0, as: UTF8.self) })
    }

    /// `payload` with a `gpgsig` header holding `signature` added at the end of its headers.
    static func signed(_ payload: [UInt8], signature: String) -> [UInt8] {
        let text = String(decoding: payload, as: UTF8.self)
        guard let blank = text.range(of: "\n\n") else { return payload }
        let lines = signature.split(separator: "\n", omittingEmptySubsequences: true)
        let header = "gpgsig " + lines.joined(separator: "\n ") + "\n"
        return Array((text[..<blank.lowerBound] + "\n" + header + text[text.index(after: blank.lowerBound)...]).utf8)
    }

    /// Lines with their newlines.
    private static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0a {
            lines.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { lines.append(bytes[start...]) }
        return lines
    }
}
