import Testing

@testable import SourceVerification

@Suite("SSH ECDSA signature encoding")
struct ECDSASignatureEncodingTests {
    /// `string(mpint r) ‖ string(mpint s)` as SSH writes them.
    static func encode(_ r: [UInt8], _ s: [UInt8]) -> [UInt8] {
        var writer = SSHWireWriter()
        writer.writeString(r)
        writer.writeString(s)
        return writer.bytes
    }

    @Test("a 33-byte mpint (sign byte) loses its leading zero")
    func signByte() throws {
        let r = [0x00, 0x80] + [UInt8](repeating: 1, count: 31)
        let s = [0x7f] + [UInt8](repeating: 2, count: 31)
        let raw = try #require(SSHSignature.rawP256Signature(fromSSH: Self.encode(r, s)))
        #expect(raw == Array(r.dropFirst()) + s)
    }

    @Test("a short mpint is left-padded to 32 bytes")
    func shortValues() throws {
        let r = [UInt8](repeating: 3, count: 30)
        let s = [UInt8]([0x05])
        let raw = try #require(SSHSignature.rawP256Signature(fromSSH: Self.encode(r, s)))
        #expect(raw.count == 64)
        #expect(raw == [0, 0] + r + [UInt8](repeating: 0, count: 31) + s)
    }

    @Test("a redundant leading zero is tolerated, as OpenSSH does")
    func redundantZero() throws {
        let raw = try #require(SSHSignature.rawP256Signature(fromSSH: Self.encode([0, 0, 1], [0, 2])))
        #expect(raw[31] == 1 && raw[63] == 2 && raw.filter { $0 != 0 }.count == 2)
    }

    @Test(
        "negative, oversized and trailing encodings are refused",
        arguments: [
            encode([0x80] + [UInt8](repeating: 1, count: 31), [1]),
            encode([0x01] + [UInt8](repeating: 1, count: 32), [1]),
            encode([1], [1]) + [0],
            [0, 0, 0, 1, 1],
        ]
    )
    func refused(bytes: [UInt8]) {
        #expect(SSHSignature.rawP256Signature(fromSSH: bytes) == nil)
    }
}
