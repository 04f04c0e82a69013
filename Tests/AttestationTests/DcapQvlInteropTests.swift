import Attestation
import AttestationSimulation
import Encoding
import Foundation
import Testing

/// Our parser and verifier against dcap-qvl, an independent verifier (Rust, Python bindings).
@Suite("Interop with dcap-qvl")
struct DcapQvlInteropTests {
    /// Our parse of the fields dcap-qvl reports, in its names.
    static func fields(_ quote: TDXQuote) -> [String: PythonOracle.FieldValue] {
        let body = quote.body
        var fields: [String: PythonOracle.FieldValue] = [
            "version": .number(Int(quote.header.version)),
            "attestation_key_type": .number(Int(quote.header.attestationKeyType)),
            "tee_type": .number(Int(quote.header.teeType)),
            "qe_vendor_id": .text(quote.header.qeVendorID.hex),
            "user_data": .text(quote.header.userData.hex),
            "tee_tcb_svn": .text(body.teeTCBSVN.hex),
            "mr_seam": .text(body.mrSeam.hex),
            "mr_signer_seam": .text(body.mrSignerSeam.hex),
            "seam_attributes": .text(body.seamAttributes.hex),
            "td_attributes": .text(Hex.encode(withUnsafeBytes(of: body.tdAttributes.rawValue.littleEndian, Array.init))),
            "xfam": .text(body.xfam.hex),
            "mr_td": .text(body.mrTD.hex),
            "mr_config_id": .text(body.mrConfigID.hex),
            "mr_owner": .text(body.mrOwner.hex),
            "mr_owner_config": .text(body.mrOwnerConfig.hex),
            "rt_mr0": .text(body.rtmr[0].hex),
            "rt_mr1": .text(body.rtmr[1].hex),
            "rt_mr2": .text(body.rtmr[2].hex),
            "rt_mr3": .text(body.rtmr[3].hex),
            "report_data": .text(body.reportData.hex),
        ]
        if let svn2 = body.teeTCBSVN2, let service = body.mrServiceTD {
            fields["tee_tcb_svn2"] = .text(svn2.hex)
            fields["mr_service_td"] = .text(service.hex)
        }
        return fields
    }

    @Test("every field of the real samples parses as dcap-qvl parses it; flips in signed regions never verify")
    func realSamples() async throws {
        guard let python = PythonOracle.python() else { return }
        var quotes: [(name: String, bytes: [UInt8])] = []
        for name in [TestData.v4QuoteName, TestData.v5QuoteName] {
            guard let bytes = TestData.tdx(name) else { return }
            quotes.append((name, bytes))
            quotes += QuoteMutations.generate(try TDXQuote(bytes), flipsPerRegion: 6, seed: 5).map { ("\(name)/\($0.name)", $0.bytes) }
        }
        #expect(quotes.count >= 200)
        let results = try await PythonOracle.run(python: python, quotes: quotes, now: TestData.sampleTime)
        let verifier = QuoteVerifier(configuration: .init(cache: VerificationCache()))
        var compared = 0
        for (name, bytes) in quotes {
            let theirs = try #require(results[name])
            let ours = try? TDXQuote(bytes)
            let isOriginal = !name.contains("/")
            if isOriginal {
                let quote = try #require(ours)
                #expect(theirs.parsed, "dcap-qvl could not parse \(name): \(theirs.error ?? "")")
                var expected = Self.fields(quote)
                let fmspc = await verifier.verify(quote, at: TestData.sampleTime).pck.map { Hex.encode($0.fmspc) }
                expected["fmspc"] = fmspc.map(PythonOracle.FieldValue.text)
                #expect(theirs.fields == expected, "\(name): fields differ")
                let verdict = await verifier.verify(quote, at: TestData.sampleTime)
                let accepted = verdict.isAccepted
                #expect(accepted, "\(name): \(verdict.reasons)")
                continue
            }
            if let quote = ours {
                let accepted = await verifier.verify(quote, at: TestData.sampleTime).isAccepted
                let signedRegions = ["header", "body", "quote-signature", "attestation-key", "qe-report", "qe-auth-data"]
                if signedRegions.contains(where: { name.contains("/flip-\($0)-") }) {
                    #expect(!accepted, "\(name) was accepted")
                }
                if theirs.parsed, let their = theirs.fields, their["tee_type"]?.number == 0x81 {
                    var mine = Self.fields(quote)
                    mine["fmspc"] = their["fmspc"]
                    #expect(their == mine, "\(name): parsed fields differ")
                    compared += 1
                }
            }
        }
        #expect(compared >= 100, "only \(compared) mutated quotes were parsed by both")
    }

    /// True for a mutation dcap-qvl cannot see, where we deliberately refuse:
    /// - the outer certification data type, which Intel's layout fixes at 6 and dcap-qvl does not read;
    /// - non-canonical PEM (see below);
    /// - damage confined to the embedded copy of the root certificate (or a chain length that cuts
    ///   only into it): dcap-qvl takes the root from its caller and never parses the embedded one,
    ///   while we refuse a malformed chain and, when pinning by fingerprint, need that copy.
    static func onlyWeCanSee(_ mutated: [UInt8], original: TDXQuote) -> Bool {
        let raw = original.raw
        guard mutated.count == raw.count, let changed = mutated.indices.first(where: { mutated[$0] != raw[$0] }) else { return false }
        let signatureStart = original.signatureDataRange.lowerBound
        if (signatureStart + 128..<signatureStart + 130).contains(changed) { return true }
        let pem = original.signatureData.pckCertificateChainPEM
        let begin = Array("-----BEGIN".utf8)
        let blockStarts = pem.indices.filter { pem[$0...].starts(with: begin) }
        guard blockStarts.count == 3 else { return false }
        let rootStart = blockStarts[2]
        if changed >= rootStart && changed < original.signatureDataRange.upperBound { return true }
        // Non-canonical PEM that decodes to the same DER: a line break turned into other
        // whitespace, or the unused low bits of the last base64 digit before `=` padding. dcap-qvl's
        // decoder tolerates both; SwiftASN1's PEM parser refuses them, and so do we.
        if pem.indices.contains(changed) {
            if raw[changed] == UInt8(ascii: "\n") { return true }
            if changed + 1 < raw.count, raw[changed + 1] == UInt8(ascii: "=") { return true }
        }
        let sizeField = pem.startIndex - 4..<pem.startIndex
        if sizeField.contains(changed) {
            let size = mutated[sizeField].reversed().reduce(0) { $0 << 8 | Int($1) }
            return size >= rootStart - pem.startIndex && size <= original.signatureDataRange.upperBound - pem.startIndex
        }
        return false
    }

    @Test("mutated simulated quotes get the same verdict from both verifiers", arguments: [UInt16(4), 5])
    func verdicts(version: UInt16) async throws {
        guard let python = PythonOracle.python() else { return }
        let platform = try SimulatedPlatform()
        let original = try platform.authority.quote(SimulatedQuoteRequest(version: version))
        let collateral = try platform.collateral()
        var quotes: [(name: String, bytes: [UInt8])] = [("original", original)]
        quotes += QuoteMutations.generate(try TDXQuote(original), flipsPerRegion: 12, seed: UInt64(version)).map { ($0.name, $0.bytes) }
        #expect(quotes.count >= 100)
        let results = try await PythonOracle.run(
            python: python,
            quotes: quotes,
            collateral: try collateral.json(),
            rootDER: try platform.authority.rootDER,
            now: SimulatedPlatform.now
        )
        let policy = AttestationPolicy(acceptedTCBStatuses: Set(TCBStatus.allCases).subtracting([.revoked]))
        var disagreements: [String] = []
        var accepted = 0
        var invisible = 0
        let parsedOriginal = try TDXQuote(original)
        for (name, bytes) in quotes {
            let theirs = try #require(results[name])
            var oursAccepted = false
            if let quote = try? TDXQuote(bytes) {
                oursAccepted = await platform.verify(quote, collateral: collateral, policy: policy).isAccepted
            }
            if oursAccepted { accepted += 1 }
            if oursAccepted != (theirs.verified == true) {
                if !oursAccepted && Self.onlyWeCanSee(bytes, original: parsedOriginal) {
                    invisible += 1
                } else {
                    disagreements.append("\(name): ours \(oursAccepted), dcap-qvl \(theirs.verified == true) (\(theirs.error ?? ""))")
                }
            }
        }
        #expect(results["original"]?.verified == true, "dcap-qvl rejected the unmodified simulated quote: \(results["original"]?.error ?? "")")
        #expect(accepted >= 1)
        #expect(invisible * 10 < quotes.count, "too many mutations only we can see: \(invisible)")
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }
}
