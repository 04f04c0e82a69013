import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Validates certificate chains (the PCK chain, collateral issuer chains) to a ``TrustAnchor``
/// with swift-certificates' RFC 5280 verifier at an injected time.
enum CertificateChainValidator {
    /// The time window in which every certificate of a validated chain is valid.
    struct ValidityWindow: Hashable, Sendable {
        var notBefore: Date
        var notAfter: Date

        func contains(_ time: Date) -> Bool { time >= self.notBefore && time <= self.notAfter }
    }

    /// Parses concatenated PEM certificates (trailing NULs and text after the last one ignored).
    static func certificates(pem: some Collection<UInt8>) throws -> [Certificate] {
        let text = String(decoding: pem, as: UTF8.self)
        return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(derEncoded: $0.derBytes) }
    }

    /// Validates `leaf` through `intermediates` to the anchor at `time`.
    /// - Returns: the chain's validity window, or a sentence saying why it does not validate.
    static func validate(
        leaf: Certificate,
        intermediates: [Certificate],
        anchor: TrustAnchor,
        at time: Date
    ) async -> Result<ValidityWindow, ChainFailure> {
        guard let root = anchor.root(among: intermediates) else {
            return .failure(
                ChainFailure(
                    message: "the chain does not include the pinned root (SHA-256 fingerprint \(anchor.fingerprintHex))"
                )
            )
        }
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        let untrusted = intermediates.filter { $0 != root }
        switch await verifier.validate(leaf: leaf, intermediates: CertificateStore(untrusted)) {
        case .validCertificate(let chain):
            let window = ValidityWindow(
                notBefore: chain.map(\.notValidBefore).max() ?? time,
                notAfter: chain.map(\.notValidAfter).min() ?? time
            )
            return .success(window)
        case .couldNotValidate(let failures):
            let reasons = failures.map { String(describing: $0.policyFailureReason) }
            let summary = reasons.isEmpty ? "no path to the trust anchor" : reasons.joined(separator: "; ")
            return .failure(ChainFailure(message: "certificate chain of \(leaf.subject) does not validate: \(summary)"))
        }
    }

    /// Why a chain did not validate.
    struct ChainFailure: Error, Hashable, Sendable {
        var message: String
    }
}
