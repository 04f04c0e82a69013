import Encoding
import Testing

/// The one hex and the one base64url every module uses.
@Suite struct EncodingTests {
    @Test("hex encodes lowercase, two digits a byte, and decodes either case back")
    func hexRoundTrip() {
        let bytes: [UInt8] = [0x00, 0x0f, 0x10, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "000f10abff")
        #expect(Hex.encode([]) == "")
        #expect(Hex.decode("000f10abff") == bytes)
        #expect(Hex.decode("000F10ABFF") == bytes)
        for length in 0..<40 {
            let random = (0..<length).map { _ in UInt8.random(in: 0...255) }
            #expect(Hex.decode(Hex.encode(random)) == random, "length \(length)")
        }
    }

    @Test("hex refuses odd lengths, signs and non-hex characters", arguments: ["a", "abc", "0g", "+f", "-1", " 0", "zz", "é0"])
    func hexRefuses(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test("base64url encodes without padding and decodes only the unpadded alphabet")
    func base64URLUnpadded() {
        #expect(Base64URL.encode(Array("f".utf8)) == "Zg")
        #expect(Base64URL.encode(Array("fo".utf8)) == "Zm8")
        #expect(Base64URL.encode(Array("foo".utf8)) == "Zm9v")
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("Zg==") == nil && Base64URL.decode("+/8") == nil && Base64URL.decode("Z") == nil)
    }

    @Test("the lenient base64 decoder takes either alphabet and padding, and nothing else")
    func base64Lenient() {
        #expect(Base64URL.decodeLenient("+/8=") == [0xfb, 0xff] && Base64URL.decodeLenient("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decodeLenient("Zm8=") == Array("fo".utf8) && Base64URL.decodeLenient("Zm8") == Array("fo".utf8))
        #expect(Base64URL.decodeLenient("Zm*8") == nil && Base64URL.decodeLenient("Z===") == nil)
    }
}
