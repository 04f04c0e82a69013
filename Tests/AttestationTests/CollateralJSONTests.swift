import AttestationSimulation
import Foundation
import Testing

@testable import Attestation

/// The collateral JSON parser: it reads the signed items exactly as `JSONDecoder` does, and
/// refuses what RFC 8259 refuses.
@Suite("Collateral JSON")
struct CollateralJSONTests {
    @Test("TCB Info and QE Identity read the same as with JSONDecoder", arguments: TCBStatus.allCases)
    func sameAsJSONDecoder(status: TCBStatus) throws {
        let platform = try SimulatedPlatform()
        let bundle = try platform.collateral(status: status)
        let fast = try TCBInfo(json: try CollateralJSON.parse(bundle.tcbInfo.utf8))
        let slow = try JSONDecoder().decode(TCBInfo.self, from: Data(bundle.tcbInfo.utf8))
        #expect(fast == slow)
        #expect(fast.tcbLevels.count >= 2 && fast.tcbLevels.contains { $0.tcbStatus == status })
        let fastQE = try QEIdentity(json: try CollateralJSON.parse(bundle.qeIdentity.utf8))
        #expect(fastQE == (try JSONDecoder().decode(QEIdentity.self, from: Data(bundle.qeIdentity.utf8))))
    }

    @Test("values: escapes, surrogate pairs, numbers, literals, nesting")
    func values() throws {
        let text = #"  {"a": "x\"\\\/\b\f\n\r\tA\u00e9\ud83d\ude00", "n": [0, -12, 3.5, 1e3, true, false, null], "o": {}}  "#
        let value = try CollateralJSON.parse(Array(text.utf8))
        #expect(try value.string("a") == "x\"\\/\u{08}\u{0C}\n\r\tAé😀")
        #expect(
            try value.array("n") == [
                .number(0, integer: 0), .number(-12, integer: -12), .number(3.5, integer: nil), .number(1000, integer: nil), .bool(true),
                .bool(false),
                .null,
            ]
        )
        #expect(try value.member("o") == .object([:]))
    }

    @Test(
        "what RFC 8259 refuses is refused",
        arguments: [
            "", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "1e", "-", "+1", "tru", "nul", "\"open", "\"\u{01}\"", "\"\\x\"",
            "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "{} {}", "[1] x", "'a'", String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ]
    )
    func refused(text: String) {
        #expect(throws: CollateralJSON.Invalid.self) { try CollateralJSON.parse(Array(text.utf8)) }
    }

    @Test("every truncation and every single-byte replacement of a QE Identity is parsed or refused, never a crash")
    func mutations() throws {
        let bytes = Array(try SimulatedPlatform().collateral().qeIdentity.utf8)
        let replacements: [UInt8] = [0x00, 0x0A, 0x22, 0x2C, 0x30, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0xFF]
        var parsed = 0
        var refused = 0
        for end in 0..<bytes.count {
            if (try? CollateralJSON.parse(bytes[..<end])) == nil { refused += 1 } else { parsed += 1 }
        }
        #expect(refused == bytes.count, "no prefix of an object is a whole JSON value")
        for offset in bytes.indices {
            for replacement in replacements where replacement != bytes[offset] {
                var mutated = bytes
                mutated[offset] = replacement
                if (try? CollateralJSON.parse(mutated)) == nil { refused += 1 } else { parsed += 1 }
            }
        }
        #expect(parsed > 0 && refused > bytes.count)
    }

    @Test("a missing field, a wrong type or a status Intel does not define is refused, naming it")
    func wrongShapes() throws {
        let platform = try SimulatedPlatform()
        let text = try platform.collateral().tcbInfo
        for (from, to, named) in [
            ("\"fmspc\"", "\"fmspx\"", "fmspc"), ("\"pcesvn\":", "\"pcesvn\":\"1\",\"x\":", "pcesvn"), ("\"UpToDate\"", "\"Fine\"", "Fine"),
        ] {
            let broken = text.replacingOccurrences(of: from, with: to)
            #expect(broken != text)
            let error = #expect(throws: CollateralJSON.Invalid.self) { try TCBInfo(json: try CollateralJSON.parse(broken.utf8)) }
            #expect(error?.description.contains(named) == true, "\(String(describing: error))")
        }
    }
}
