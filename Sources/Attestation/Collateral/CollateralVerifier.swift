import Crypto
import Foundation
import X509

/// Collateral whose signatures, issuer chains and CRL signatures were checked.
struct VerifiedCollateral: Sendable {
    var tcbInfo: TCBInfo
    var qeIdentity: QEIdentity
    var rootCRL: CertificateRevocationList
    var pckCRL: CertificateRevocationList
    /// When every signed item and CRL is current.
    var window: CertificateChainValidator.ValidityWindow
}

/// Checks a ``CollateralBundle``: both issuer chains to the trust anchor, the TCB Info and QE
/// Identity signatures over their exact bytes, the root CA CRL's signature and scope, and each
/// item's validity window at the verification time.
enum CollateralVerifier {
    static func verify(_ bundle: CollateralBundle, anchor: TrustAnchor, at time: Date) async -> Result<VerifiedCollateral, RejectionReason> {
        let tcbInfo: TCBInfo
        let qeIdentity: QEIdentity
        let rootCRL: CertificateRevocationList
        let pckCRL: CertificateRevocationList
        do {
            tcbInfo = try JSONDecoder().decode(TCBInfo.self, from: Data(bundle.tcbInfo.utf8))
            qeIdentity = try JSONDecoder().decode(QEIdentity.self, from: Data(bundle.qeIdentity.utf8))
        } catch {
            return .failure(RejectionReason(.collateralMalformed, "TCB Info or QE Identity JSON is malformed: \(error)"))
        }
        do {
            rootCRL = try CertificateRevocationList(derEncoded: bundle.rootCACRL)
            pckCRL = try CertificateRevocationList(derEncoded: bundle.pckCRL)
        } catch {
            return .failure(RejectionReason(.collateralMalformed, "a CRL is not a DER v2 CRL: \(error)"))
        }
        var window = CertificateChainValidator.ValidityWindow(notBefore: .distantPast, notAfter: .distantFuture)
        var rootCertificate: Certificate?
        for (name, chainPEM, text, signature) in [
            ("TCB Info", bundle.tcbInfoIssuerChain, bundle.tcbInfo, bundle.tcbInfoSignature),
            ("QE Identity", bundle.qeIdentityIssuerChain, bundle.qeIdentity, bundle.qeIdentitySignature),
        ] {
            guard let chain = try? CertificateChainValidator.certificates(pem: Array(chainPEM.utf8)), let signer = chain.first,
                let signerKey = P256.Signing.PublicKey(signer.publicKey)
            else {
                return .failure(RejectionReason(.collateralMalformed, "the \(name) issuer chain is not PEM certificates with a P-256 signer"))
            }
            switch await CertificateChainValidator.validate(leaf: signer, intermediates: Array(chain.dropFirst()), anchor: anchor, at: time) {
            case .failure(let failure):
                return .failure(RejectionReason(.collateralSignature, "\(name) issuer chain: \(failure.message)"))
            case .success(let chainWindow):
                window = window.intersection(chainWindow)
            }
            rootCertificate = rootCertificate ?? anchor.root(among: Array(chain.dropFirst()))
            guard !rootCRL.revokes(signer.serialNumber) else {
                return .failure(RejectionReason(.revoked, "the \(name) signing certificate is on the root CA CRL"))
            }
            guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                signerKey.isValidSignature(ecdsa, for: Array(text.utf8))
            else {
                return .failure(RejectionReason(.collateralSignature, "the \(name) signature does not verify with \(signer.subject)"))
            }
        }
        guard let root = rootCertificate, let rootKey = P256.Signing.PublicKey(root.publicKey) else {
            return .failure(RejectionReason(.collateralSignature, "the collateral does not chain to the trust anchor"))
        }
        guard rootCRL.issuer == root.subject, rootCRL.isSigned(by: rootKey) else {
            return .failure(RejectionReason(.collateralSignature, "the root CA CRL is not signed by the trust anchor"))
        }
        for (name, item) in [("TCB Info", (tcbInfo.issueDate, tcbInfo.nextUpdate)), ("QE Identity", (qeIdentity.issueDate, qeIdentity.nextUpdate))] {
            guard let issued = CivilTime.parseRFC3339(item.0), let next = CivilTime.parseRFC3339(item.1) else {
                return .failure(RejectionReason(.collateralMalformed, "\(name) dates are not RFC 3339"))
            }
            guard time >= issued, time <= next else {
                let state = time < issued ? "is not yet valid (issued \(item.0))" : "expired at \(item.1)"
                return .failure(RejectionReason(.collateralExpired, "\(name) \(state) at \(CivilTime.formatRFC3339(time))"))
            }
            window = window.intersection(.init(notBefore: issued, notAfter: next))
        }
        for (name, crl) in [("root CA CRL", rootCRL), ("PCK CRL", pckCRL)] where time >= crl.nextUpdate {
            return .failure(
                RejectionReason(.collateralExpired, "the \(name) expired at \(CivilTime.formatRFC3339(crl.nextUpdate)); fetch fresh collateral")
            )
        }
        window = window.intersection(.init(notBefore: .distantPast, notAfter: min(rootCRL.nextUpdate, pckCRL.nextUpdate).addingTimeInterval(-0.001)))
        return .success(VerifiedCollateral(tcbInfo: tcbInfo, qeIdentity: qeIdentity, rootCRL: rootCRL, pckCRL: pckCRL, window: window))
    }
}

extension CertificateChainValidator.ValidityWindow {
    func intersection(_ other: Self) -> Self {
        Self(notBefore: max(self.notBefore, other.notBefore), notAfter: min(self.notAfter, other.notAfter))
    }
}
