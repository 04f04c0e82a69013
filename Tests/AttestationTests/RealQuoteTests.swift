import Attestation
import Encoding
import Foundation
import Testing

@Suite("Real Intel TDX quotes")
struct RealQuoteTests {
    struct Expected: Sendable, CustomTestStringConvertible {
        var file: String
        var version: UInt16
        var kind: TDReportBody.Kind
        var teeTCBSVN: String
        var mrSeam: String
        var tdAttributes: String
        var mrTD: String
        var rtmr0: String
        var rtmr2: String
        var reportData: String
        var attestationKey: String
        var qeISVSVN: UInt16
        var fmspc: String
        var trailing: Int
        var testDescription: String { self.file }
    }

    static let samples = [
        Expected(
            file: TestData.v4QuoteName,
            version: 4,
            kind: .tdx10,
            teeTCBSVN: "03000400000000000000000000000000",
            mrSeam: "2fd279c16164a93dd5bf373d834328d46008c2b693af9ebb865b08b2ced320c9a89b4869a9fab60fbe9d0c5a5363c656",
            tdAttributes: "0000004000000000",
            mrTD: "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb",
            rtmr0: "2927da70461cd63266f43230cc1849c03ef25ebe490062a801d8fcc80af42976823adf08f833c1e50b51779c6593f32a",
            rtmr2: "8652f0caaba7e215ea442dc36a4499d8fec3362f3a0b2ca151cbe4b3e6466fe59c7368b3c2287fc7c3bf5c924eb4424e",
            reportData:
                "6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113",
            attestationKey:
                "36f301ff1db5c282f9338966c5b8f5c7257e75b0210d0c6c8b1d4a7846e4e0e84c2121d448c7154d37ace210247a6e17271cd1468db8ac7fcd2473b34f7a43fc",
            qeISVSVN: 4,
            fmspc: "50806f000000",
            trailing: 39
        ),
        Expected(
            file: TestData.v5QuoteName,
            version: 5,
            kind: .tdx15,
            teeTCBSVN: "0b010400000000000000000000000000",
            mrSeam: "7bf063280e94fb051f5dd7b1fc59ce9aac42bb961df8d44b709c9b0ff87a7b4df648657ba6d1189589feab1d5a3c9a9d",
            tdAttributes: "0000001000000000",
            mrTD: "7348651a34b2d2d3462822e3a750ec6110125f36757c78480bbfc69cc0d21fb001a1ced3ee19747dda8f750c3bc8f876",
            rtmr0: "5c8daf76063a71ac8fcef4067564661fc682ed7944c7a5d21dbbced02f61ceff4ba0678c6aef3bdae8cbc614cec24619",
            rtmr2: "6369b9c9a3b791ebcbdc5a0bb9536cfb57f50df2b393b33c8b29616d3568baa61f4b59dc6092e31ea8764bcbdfc69f20",
            reportData:
                "945eaacf5abc1f719d8666a942fda03d1edcb4490277396093dc5a5289ab9f1e094aed63060cd4a4933a4dd537ed1255c9c79ecb3ed82cd1b486233e31c25c3a",
            attestationKey:
                "4763cf2f3848919fd0aec8f6e8f21e85e244b431102c25b341f8016731e892b3029c8774bd88085e775cb36e2359fbac455e6963a073e12babaf28d9b81d9674",
            qeISVSVN: 7,
            fmspc: "90c06f000000",
            trailing: 0
        ),
    ]

    @Test("parses every field the README lists", arguments: samples)
    func parsesFields(_ expected: Expected) throws {
        guard let bytes = TestData.tdx(expected.file) else { return }
        let quote = try TDXQuote(bytes)
        #expect(quote.header.version == expected.version)
        #expect(quote.header.teeType == 0x81)
        #expect(Array(quote.header.qeVendorID.bytes) == QuoteHeader.intelQEVendorID)
        #expect(quote.body.kind == expected.kind)
        #expect(quote.body.teeTCBSVN.hex == expected.teeTCBSVN)
        #expect(quote.body.mrSeam.hex == expected.mrSeam)
        #expect(Hex.encode(withUnsafeBytes(of: quote.body.tdAttributes.rawValue.littleEndian, Array.init)) == expected.tdAttributes)
        #expect(quote.body.mrTD.hex == expected.mrTD)
        #expect(quote.body.rtmr[0].hex == expected.rtmr0)
        #expect(quote.body.rtmr[2].hex == expected.rtmr2)
        #expect(quote.body.rtmr[3].isZero)
        #expect(quote.body.reportData.hex == expected.reportData)
        #expect(quote.signatureData.attestationKey.hex == expected.attestationKey)
        #expect(quote.signatureData.qeReport.isvSVN == expected.qeISVSVN)
        #expect(quote.signatureData.qeReport.isvProdID == 2)
        #expect(quote.signatureData.qeAuthData.count == 32)
        #expect(quote.trailingByteCount == expected.trailing)
        #expect((quote.body.teeTCBSVN2 != nil) == (expected.kind == .tdx15))
    }

    @Test("verifies to the pinned Intel root", arguments: samples)
    func verifiesToIntelRoot(_ expected: Expected) async throws {
        guard let bytes = TestData.tdx(expected.file) else { return }
        let quote = try TDXQuote(bytes)
        let result = await QuoteVerifier().verify(quote, at: TestData.sampleTime)
        #expect(result.isAccepted, "\(result.reasons)")
        #expect(result.pck.map { Hex.encode($0.fmspc) } == expected.fmspc)
        #expect(result.trustAnchor.isIntelSGXRoot)
    }
}
