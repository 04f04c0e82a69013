import Attestation
import AttestationSimulation
import Crypto
import Foundation
import Testing

/// A simulated platform and a fixed clock, shared by the tests below.
struct SimulatedPlatform {
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let now = epoch.addingTimeInterval(10 * 86_400)

    let authority: SimulatedTDXAuthority
    let anchor: TrustAnchor

    init() throws {
        self.authority = try SimulatedTDXAuthority(notBefore: Self.epoch)
        self.anchor = try self.authority.trustAnchor
    }

    func quote(_ request: SimulatedQuoteRequest = SimulatedQuoteRequest()) throws -> TDXQuote {
        try TDXQuote(try self.authority.quote(request))
    }

    func collateral(status: TCBStatus = .upToDate, revokePCK: Bool = false, teeTCBSVN: [UInt8] = SimulatedQuoteRequest().teeTCBSVN) throws
        -> CollateralBundle
    {
        try self.authority.collateral(
            issued: Self.now.addingTimeInterval(-86_400),
            platformStatus: status,
            teeTCBSVN: teeTCBSVN,
            revokePCK: revokePCK
        )
    }

    func verify(
        _ quote: TDXQuote,
        collateral: CollateralBundle? = nil,
        policy: AttestationPolicy = .measurementsUnpinned,
        expectedReportData: [UInt8]? = nil,
        anchor: TrustAnchor? = nil,
        at time: Date = SimulatedPlatform.now
    ) async -> QuoteVerification {
        await QuoteVerifier(configuration: .init(trustAnchor: anchor ?? self.anchor)).verify(
            quote,
            collateral: collateral,
            policy: policy,
            expectedReportData: expectedReportData,
            at: time
        )
    }
}

@Suite("Simulated TDX")
struct SimulatedTDXTests {
    @Test("a simulated quote verifies with its own root, with and without collateral", arguments: [UInt16(4), 5])
    func acceptedWithTestRoot(version: UInt16) async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote(SimulatedQuoteRequest(version: version))
        #expect(quote.header.version == version)
        #expect(quote.body.kind == (version == 5 ? .tdx15 : .tdx10))
        let bare = await platform.verify(quote)
        #expect(bare.isAccepted, "\(bare.reasons)")
        let full = await platform.verify(quote, collateral: try platform.collateral())
        #expect(full.isAccepted, "\(full.reasons)")
        #expect(full.tcb?.status == .upToDate)
    }

    @Test("a simulated quote is rejected under Intel's pinned root")
    func rejectedWithIntelRoot() async throws {
        let platform = try SimulatedPlatform()
        let result = await platform.verify(try platform.quote(), collateral: try platform.collateral(), anchor: .intelSGXRootCA)
        #expect(!result.isAccepted)
        #expect(result.reasons.map(\.code).contains(.pckChainUntrusted))
        #expect(result.reasons.map(\.code).contains(.collateralSignature))
    }

    @Test("another authority's root does not verify this one's quotes")
    func rejectedWithOtherTestRoot() async throws {
        let platform = try SimulatedPlatform()
        let other = try SimulatedPlatform()
        let result = await platform.verify(try platform.quote(), anchor: other.anchor)
        #expect(result.reasons.map(\.code) == [.pckChainUntrusted])
    }

    @Test(
        "TCB statuses from collateral are evaluated and judged by the policy",
        arguments: [TCBStatus.upToDate, .swHardeningNeeded, .configurationNeeded, .outOfDate, .outOfDateConfigurationNeeded]
    )
    func tcbStatuses(status: TCBStatus) async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        let collateral = try platform.collateral(status: status)
        let strict = await platform.verify(quote, collateral: collateral)
        #expect(strict.tcb?.status == status)
        #expect(strict.isAccepted == (status == .upToDate))
        if status != .upToDate {
            #expect(strict.reasons.map(\.code) == [.tcbStatus])
            #expect(strict.tcb?.advisoryIDs.contains("INTEL-SA-00837") == true)
        }
        let lenient = await platform.verify(quote, collateral: collateral, policy: AttestationPolicy(acceptedTCBStatuses: [status]))
        #expect(lenient.isAccepted, "\(lenient.reasons)")
    }

    @Test("a Revoked TCB level and a revoked PCK certificate are always refused")
    func revocation() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        let everything = AttestationPolicy(acceptedTCBStatuses: Set(TCBStatus.allCases))
        let revokedLevel = await platform.verify(quote, collateral: try platform.collateral(status: .revoked), policy: everything)
        #expect(revokedLevel.reasons.map(\.code) == [.revoked])
        let revokedPCK = await platform.verify(quote, collateral: try platform.collateral(revokePCK: true), policy: everything)
        #expect(revokedPCK.reasons.map(\.code) == [.revoked])
    }

    @Test("stale, premature and tampered collateral are refused")
    func collateralChecks() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote()
        let collateral = try platform.collateral()
        let expired = await platform.verify(quote, collateral: collateral, at: SimulatedPlatform.now.addingTimeInterval(60 * 86_400))
        #expect(expired.reasons.map(\.code) == [.collateralExpired])
        let early = await platform.verify(quote, collateral: collateral, at: SimulatedPlatform.now.addingTimeInterval(-5 * 86_400))
        #expect(early.reasons.map(\.code) == [.collateralExpired])
        var tampered = collateral
        tampered.tcbInfo = tampered.tcbInfo.replacingOccurrences(of: "\"UpToDate\"", with: "\"UpToDate\" ")
        let tamperedResult = await platform.verify(quote, collateral: tampered)
        #expect(tamperedResult.reasons.map(\.code) == [.collateralSignature])
        var swapped = collateral
        swapped.pckCRL = collateral.rootCACRL
        let swappedResult = await platform.verify(quote, collateral: swapped)
        #expect(swappedResult.reasons.map(\.code) == [.collateralSignature])
        let foreign = try SimulatedPlatform()
        let mismatched = await platform.verify(quote, collateral: try foreign.collateral())
        #expect(mismatched.reasons.map(\.code) == [.collateralSignature])
    }

    @Test("the collateral bundle round-trips through its JSON form")
    func collateralJSON() throws {
        let platform = try SimulatedPlatform()
        let collateral = try platform.collateral()
        let decoded = try CollateralBundle.decode(json: try collateral.json())
        #expect(decoded == collateral)
        let text = String(decoding: try collateral.json(), as: UTF8.self)
        #expect(text.contains("\"tcb_info_signature\""))
        #expect(throws: (any Error).self) { try CollateralBundle.decode(json: Data("{}".utf8)) }
    }

    @Test("a DEBUG TD is refused unless the policy allows it")
    func debug() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote(SimulatedQuoteRequest(tdAttributes: [.debug, .septVEDisable]))
        #expect(await platform.verify(quote).reasons.map(\.code) == [.debugTD])
        #expect(await platform.verify(quote, policy: AttestationPolicy(rejectDebug: false)).isAccepted)
    }

    @Test("the policy lists every violation, not only the first")
    func everyViolation() async throws {
        let platform = try SimulatedPlatform()
        let quote = try platform.quote(SimulatedQuoteRequest(mrTD: Array(repeating: 0xaa, count: 48), tdAttributes: [.debug, .septVEDisable]))
        let policy = AttestationPolicy(
            allowedMRTD: [Array(repeating: 0xbb, count: 48)],
            allowedRTMR: [[], [], [Array(repeating: 0xcc, count: 48)], []],
            mrConfigID: Array(repeating: 1, count: 48),
            mrOwner: Array(repeating: 2, count: 48),
            minimumTeeTCBSVN: [9] + Array(repeating: 0, count: 15)
        )
        let result = await platform.verify(quote, policy: policy, expectedReportData: Array(repeating: 7, count: 64))
        #expect(result.reasons.map(\.code) == [.debugTD, .mrtd, .rtmr, .mrConfigID, .mrOwner, .teeTCBSVN, .reportData])
        #expect(result.reasons[2].message.contains("RTMR2"))
    }

    @Test("REPORTDATA binds the Noise static key and the session value")
    func reportDataBinding() async throws {
        let platform = try SimulatedPlatform()
        let staticKey = Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
        let nonce = Array("nonce-1".utf8)
        let binding = ReportDataBinding.reportData(noiseStaticKey: staticKey, session: nonce)
        #expect(binding.count == 64)
        #expect(Array(binding.prefix(32)) == Array(SHA256.hash(data: Array(ReportDataBinding.staticKeyLabel.utf8) + staticKey)))
        let quote = try platform.quote(SimulatedQuoteRequest(reportData: binding))
        #expect(await platform.verify(quote, expectedReportData: binding).isAccepted)
        let otherKey = ReportDataBinding.reportData(noiseStaticKey: Array(repeating: 1, count: 32), session: nonce)
        #expect(await platform.verify(quote, expectedReportData: otherKey).reasons.map(\.code) == [.reportData])
        let replayed = ReportDataBinding.reportData(noiseStaticKey: staticKey, session: Array("nonce-2".utf8))
        #expect(await platform.verify(quote, expectedReportData: replayed).reasons.map(\.code) == [.reportData])
    }

    @Test("a policy stated in hex (the fleet spec's policy section) becomes an AttestationPolicy")
    func policyFromSpec() throws {
        let policy = AttestationPolicy(
            hexMRTD: [String(repeating: "ab", count: 48)],
            hexRTMR: [[], [], [String(repeating: "cd", count: 48)], []],
            hexMRConfigID: nil,
            hexMROwner: String(repeating: "00", count: 48),
            rejectDebug: true,
            hexMinimumTeeTCBSVN: "03000000000000000000000000000000",
            acceptedTCBStatusNames: ["UpToDate", "SWHardeningNeeded"]
        )
        #expect(policy.allowedMRTD == [Array(repeating: 0xab, count: 48)])
        #expect(policy.allowedRTMR[2] == [Array(repeating: 0xcd, count: 48)])
        #expect(policy.allowedRTMR[0].isEmpty)
        #expect(policy.mrOwner == Array(repeating: 0, count: 48))
        #expect(policy.minimumTeeTCBSVN?.first == 3)
        #expect(policy.acceptedTCBStatuses == [.upToDate, .swHardeningNeeded])
    }

    @Test("a warm cache skips the platform checks but still checks each quote's signature")
    func cache() async throws {
        let platform = try SimulatedPlatform()
        let cache = VerificationCache()
        let verifier = QuoteVerifier(configuration: .init(trustAnchor: platform.anchor, cache: cache))
        let collateral = try platform.collateral()
        let first = await verifier.verify(try platform.quote(), collateral: collateral, at: SimulatedPlatform.now)
        let (firstAccepted, firstCached) = (first.isAccepted, first.usedCache)
        #expect(firstAccepted && !firstCached)
        let second = await verifier.verify(
            try platform.quote(SimulatedQuoteRequest(reportData: Array(repeating: 9, count: 64))),
            collateral: collateral,
            at: SimulatedPlatform.now
        )
        let (secondAccepted, secondCached) = (second.isAccepted, second.usedCache)
        #expect(secondAccepted && secondCached)
        let counts = cache.count
        #expect(counts.platforms == 1 && counts.collateral == 1)
        var forged = try platform.authority.quote(SimulatedQuoteRequest())
        forged[0x40] ^= 1
        let forgedResult = await verifier.verify(try TDXQuote(forged), collateral: collateral, at: SimulatedPlatform.now)
        let forgedCached = forgedResult.usedCache
        #expect(forgedCached)
        #expect(forgedResult.reasons.map(\.code) == [.quoteSignature])
        let late = await verifier.verify(try platform.quote(), at: SimulatedPlatform.epoch.addingTimeInterval(20 * 365 * 86_400))
        let lateCached = late.usedCache
        #expect(!lateCached)
        #expect(late.reasons.map(\.code) == [.pckChainUntrusted])
    }
}
