import Crypto
import Foundation
import X509

/// Verifies TDX quotes offline, to a pinned root, and judges them against an ``AttestationPolicy``.
///
/// The checks, each contributing a ``RejectionReason`` when it fails:
/// 1. the quote signature (ECDSA-P256 over header and body) by the attestation key;
/// 2. the QE report's REPORTDATA = SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes;
/// 3. the QE report signature by the PCK leaf key;
/// 4. the PCK chain to the trust anchor (RFC 5280, at the given time);
/// 5. the QE is Intel's TD QE (MRSIGNER, ISVPRODID);
/// 6. with collateral: issuer chains, signatures, CRLs, validity windows, the TCB status;
/// 7. the policy: DEBUG, measurements, TEE TCB SVN, REPORTDATA.
///
/// Steps 2–4 (and 6's signatures) depend only on the platform's certification data, so with a
/// ``VerificationCache`` they run once per platform and later quotes only pay for step 1.
public struct QuoteVerifier: Sendable {
    /// How to verify.
    public struct Configuration: Sendable {
        /// The root chains must end in.
        public var trustAnchor: TrustAnchor
        /// The quoting enclave to require even without collateral; nil skips the pin.
        public var qeIdentity: ExpectedQEIdentity?
        /// Where per-platform results are cached; nil verifies everything every time.
        public var cache: VerificationCache?

        /// Creates a configuration; by default Intel's root, Intel's TD QE, and no cache.
        public init(trustAnchor: TrustAnchor = .intelSGXRootCA, qeIdentity: ExpectedQEIdentity? = .intelTDQE, cache: VerificationCache? = nil) {
            self.trustAnchor = trustAnchor
            self.qeIdentity = qeIdentity
            self.cache = cache
        }
    }

    /// The configuration.
    public let configuration: Configuration

    /// Creates a verifier.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Verifies `quote` at `time`.
    /// - Parameters:
    ///   - collateral: TCB Info, QE Identity and CRLs; nil skips the TCB status.
    ///   - policy: measurement and TCB policy.
    ///   - expectedReportData: the 64 bytes REPORTDATA must equal (see ``ReportDataBinding``), if any.
    ///   - time: the validation time for certificates, CRLs and collateral.
    public func verify(
        _ quote: TDXQuote,
        collateral: CollateralBundle? = nil,
        policy: AttestationPolicy = .measurementsUnpinned,
        expectedReportData: [UInt8]? = nil,
        at time: Date
    ) async -> QuoteVerification {
        var reasons: [RejectionReason] = []
        if let reason = Self.checkQuoteSignature(quote) { reasons.append(reason) }

        let platform = await self.cachedOrVerifiedPlatform(quote, at: time)
        reasons += platform.reasons
        if let reason = self.checkQEIdentity(quote) { reasons.append(reason) }

        var tcb: TCBEvaluation?
        if let collateral {
            switch await self.evaluateCollateral(collateral, quote: quote, platform: platform.verified, at: time) {
            case .success(let evaluation):
                tcb = evaluation
                if let reason = Self.checkTCBStatus(evaluation, policy: policy) { reasons.append(reason) }
            case .failure(let reason):
                reasons.append(reason)
            }
        }

        reasons += policy.violations(of: quote.body, expectedReportData: expectedReportData)
        return QuoteVerification(
            quote: quote,
            reasons: reasons,
            pck: platform.verified?.sgxExtension ?? Self.sgxExtension(ofChainIn: quote),
            tcb: tcb,
            collateralChecked: collateral != nil,
            trustAnchor: self.configuration.trustAnchor,
            usedCache: platform.usedCache
        )
    }

    private static func checkQuoteSignature(_ quote: TDXQuote) -> RejectionReason? {
        let data = quote.signatureData
        guard let key = try? P256.Signing.PublicKey(rawRepresentation: data.attestationKey.bytes) else {
            return RejectionReason(.quoteSignature, "the attestation key is not a P-256 point")
        }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: data.quoteSignature.bytes),
            key.isValidSignature(signature, for: quote.signedBytes)
        else {
            return RejectionReason(.quoteSignature, "the quote signature does not verify with the attestation key")
        }
        return nil
    }

    /// The quote's platform checks (steps 2–4): from the cache when it holds this platform's
    /// certification data and its result is valid at `time`, else verified now (and a success
    /// cached). `verified` is nil when they failed, for the `reasons` given.
    private func cachedOrVerifiedPlatform(
        _ quote: TDXQuote,
        at time: Date
    ) async -> (verified: PlatformVerification?, reasons: [RejectionReason], usedCache: Bool) {
        let key = VerificationCache.key(
            anchor: self.configuration.trustAnchor,
            quote.raw[(quote.signatureDataRange.lowerBound + 64)..<quote.signatureDataRange.upperBound]
        )
        if let cached = self.configuration.cache?.platform(key), cached.window.contains(time) {
            return (cached, [], true)
        }
        switch await self.verifyPlatform(quote, at: time) {
        case .success(let verified):
            self.configuration.cache?.store(verified, for: key)
            return (verified, [], false)
        case .failure(let failures):
            return (nil, failures.reasons, false)
        }
    }

    /// Step 5: the quoting enclave must be the configured one (MRSIGNER and ISVPRODID), when
    /// ``Configuration/qeIdentity`` pins one.
    private func checkQEIdentity(_ quote: TDXQuote) -> RejectionReason? {
        let qeReport = quote.signatureData.qeReport
        guard let expected = self.configuration.qeIdentity,
            Array(qeReport.mrSigner.bytes) != expected.mrSigner || qeReport.isvProdID != expected.isvProdID
        else { return nil }
        return RejectionReason(
            .qeIdentity,
            "the quoting enclave (MRSIGNER \(qeReport.mrSigner), ISVPRODID \(qeReport.isvProdID)) is not Intel's TD QE"
        )
    }

    /// The policy's verdict on the TCB status the collateral gave.
    private static func checkTCBStatus(_ evaluation: TCBEvaluation, policy: AttestationPolicy) -> RejectionReason? {
        guard !policy.acceptedTCBStatuses.contains(evaluation.status) else { return nil }
        let accepted = policy.acceptedTCBStatuses.map(\.rawValue).sorted().joined(separator: ", ")
        return RejectionReason(.tcbStatus, "TCB status \(evaluation.status) is not accepted (accepted: \(accepted))")
    }

    private struct PlatformFailure: Error {
        var reasons: [RejectionReason]
    }

    private func verifyPlatform(_ quote: TDXQuote, at time: Date) async -> Result<PlatformVerification, PlatformFailure> {
        let data = quote.signatureData
        var reasons: [RejectionReason] = []
        let expectedBinding = Array(SHA256.hash(data: Array(data.attestationKey.bytes) + Array(data.qeAuthData))) + [UInt8](repeating: 0, count: 32)
        if Array(data.qeReport.reportData.bytes) != expectedBinding {
            reasons.append(
                RejectionReason(.attestationKeyBinding, "the QE report's REPORTDATA is not SHA-256(attestation key ‖ QE auth data) ‖ zeros")
            )
        }
        guard let chain = try? CertificateChainValidator.certificates(pem: data.pckCertificateChainPEM), chain.count >= 2 else {
            reasons.append(RejectionReason(.pckChainMalformed, "the PCK certificate chain is not at least two PEM certificates"))
            return .failure(PlatformFailure(reasons: reasons))
        }
        let leaf = chain[0]
        guard let leafKey = P256.Signing.PublicKey(leaf.publicKey) else {
            reasons.append(RejectionReason(.pckChainMalformed, "the PCK leaf key is not P-256"))
            return .failure(PlatformFailure(reasons: reasons))
        }
        let qeSignature = try? P256.Signing.ECDSASignature(rawRepresentation: data.qeReportSignature.bytes)
        if qeSignature.map({ leafKey.isValidSignature($0, for: data.qeReport.raw) }) != true {
            reasons.append(RejectionReason(.qeReportSignature, "the QE report signature does not verify with the PCK leaf key"))
        }
        var validated: CertificateChainValidator.ValidatedPath?
        switch CertificateChainValidator.validate(
            leaf: leaf,
            intermediates: Array(chain.dropFirst()),
            anchor: self.configuration.trustAnchor,
            at: time
        ) {
        case .success(let path): validated = path
        case .failure(let failure): reasons.append(RejectionReason(.pckChainUntrusted, "PCK chain: \(failure.message)"))
        }
        guard reasons.isEmpty, let validated else { return .failure(PlatformFailure(reasons: reasons)) }
        let sgx = leaf.extensions[oid: SGXExtension.oid].flatMap { try? SGXExtension(derEncoded: $0.value) }
        // The PCK CA is the leaf's issuer on the validated path, whatever order the quote listed it in.
        return .success(PlatformVerification(window: validated.window, leaf: leaf, intermediate: validated.issuer, sgxExtension: sgx))
    }

    private static func sgxExtension(ofChainIn quote: TDXQuote) -> SGXExtension? {
        guard let leaf = try? CertificateChainValidator.certificates(pem: quote.signatureData.pckCertificateChainPEM).first else { return nil }
        return leaf.extensions[oid: SGXExtension.oid].flatMap { try? SGXExtension(derEncoded: $0.value) }
    }

    private func evaluateCollateral(
        _ bundle: CollateralBundle,
        quote: TDXQuote,
        platform: PlatformVerification?,
        at time: Date
    ) async -> Result<TCBEvaluation, RejectionReason> {
        let anchor = self.configuration.trustAnchor
        let key = VerificationCache.key(anchor: anchor, bundle.contentDigestInput[...])
        let verified: VerifiedCollateral
        if let cached = self.configuration.cache?.collateral(key), cached.window.contains(time) {
            verified = cached
        } else {
            switch await CollateralVerifier.verify(bundle, anchor: anchor, at: time) {
            case .failure(let reason): return .failure(reason)
            case .success(let result):
                verified = result
                self.configuration.cache?.store(result, for: key)
            }
        }
        guard let platform else {
            return .failure(RejectionReason(.collateralMismatch, "the TCB status cannot be judged without a valid PCK chain"))
        }
        if verified.rootCRL.revokes(platform.intermediate.serialNumber) {
            return .failure(RejectionReason(.revoked, "the PCK CA certificate \(platform.intermediate.subject) is on the root CA CRL"))
        }
        guard verified.pckCRL.issuer == platform.leaf.issuer, let caKey = P256.Signing.PublicKey(platform.intermediate.publicKey),
            verified.pckCRL.isSigned(by: caKey)
        else {
            return .failure(RejectionReason(.collateralSignature, "the PCK CRL is not signed by the PCK leaf's issuer \(platform.leaf.issuer)"))
        }
        if verified.pckCRL.revokes(platform.leaf.serialNumber) {
            return .failure(RejectionReason(.revoked, "the PCK leaf certificate is on the PCK CRL"))
        }
        guard let sgx = platform.sgxExtension else {
            return .failure(RejectionReason(.collateralMismatch, "the PCK leaf has no readable SGX extension, so its TCB cannot be judged"))
        }
        return TCBEvaluator.evaluate(
            .init(body: quote.body, qeReport: quote.signatureData.qeReport, pck: sgx),
            tcbInfo: verified.tcbInfo,
            qeIdentity: verified.qeIdentity
        )
    }
}
