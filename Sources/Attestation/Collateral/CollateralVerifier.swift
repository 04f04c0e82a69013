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
        do throws(RejectionReason) {
            let (tcbInfo, qeIdentity) = try self.decodeSignedItems(of: bundle)
            let (rootCRL, pckCRL) = try self.decodeCRLs(of: bundle)
            let signersWindow = try self.verifySigners(of: bundle, anchor: anchor, at: time, rootCRL: rootCRL)
            let currentWindow = try self.currentWindow(tcbInfo: tcbInfo, qeIdentity: qeIdentity, rootCRL: rootCRL, pckCRL: pckCRL, at: time)
            return .success(
                VerifiedCollateral(
                    tcbInfo: tcbInfo,
                    qeIdentity: qeIdentity,
                    rootCRL: rootCRL,
                    pckCRL: pckCRL,
                    window: signersWindow.intersection(currentWindow)
                )
            )
        } catch {
            return .failure(error)
        }
    }

    /// The TCB Info and QE Identity JSON, decoded (their signatures are over the exact text, so
    /// the bundle keeps it too).
    private static func decodeSignedItems(of bundle: CollateralBundle) throws(RejectionReason) -> (TCBInfo, QEIdentity) {
        do throws(CollateralJSON.Invalid) {
            let tcbInfo = try TCBInfo(json: try CollateralJSON.parse(bundle.tcbInfo.utf8))
            let qeIdentity = try QEIdentity(json: try CollateralJSON.parse(bundle.qeIdentity.utf8))
            return (tcbInfo, qeIdentity)
        } catch {
            throw RejectionReason(.collateralMalformed, "TCB Info or QE Identity JSON is malformed: \(error)")
        }
    }

    /// The root CA CRL and the PCK CRL, decoded from DER.
    private static func decodeCRLs(of bundle: CollateralBundle) throws(RejectionReason) -> (CertificateRevocationList, CertificateRevocationList) {
        do {
            let rootCRL = try CertificateRevocationList(derEncoded: bundle.rootCACRL)
            let pckCRL = try CertificateRevocationList(derEncoded: bundle.pckCRL)
            return (rootCRL, pckCRL)
        } catch {
            throw RejectionReason(.collateralMalformed, "a CRL is not a DER v2 CRL: \(error)")
        }
    }

    /// Checks the TCB Info's and the QE Identity's signers (see ``verifySigner(of:chain:text:signature:rootCRL:)``),
    /// then that `rootCRL` is the trust anchor's: issued and signed by the root the chains end
    /// in. An issuer chain is parsed and validated once even when both items carry it (Intel
    /// signs both with its TCB signing certificate). Returns when both issuer chains are valid.
    private static func verifySigners(
        of bundle: CollateralBundle,
        anchor: TrustAnchor,
        at time: Date,
        rootCRL: CertificateRevocationList
    ) throws(RejectionReason) -> CertificateChainValidator.ValidityWindow {
        var window = CertificateChainValidator.ValidityWindow(notBefore: .distantPast, notAfter: .distantFuture)
        var rootCertificate: Certificate?
        var validated: [String: ValidatedChain] = [:]
        for (name, chainPEM, text, signature) in [
            ("TCB Info", bundle.tcbInfoIssuerChain, bundle.tcbInfo, bundle.tcbInfoSignature),
            ("QE Identity", bundle.qeIdentityIssuerChain, bundle.qeIdentity, bundle.qeIdentitySignature),
        ] {
            let chain: ValidatedChain
            if let known = validated[chainPEM] {
                chain = known
            } else {
                chain = try self.validateChain(of: name, chainPEM: chainPEM, anchor: anchor, at: time)
                validated[chainPEM] = chain
            }
            try self.verifySigner(of: name, chain: chain, text: text, signature: signature, rootCRL: rootCRL)
            window = window.intersection(chain.window)
            rootCertificate = rootCertificate ?? anchor.root(among: chain.intermediates)
        }
        guard let root = rootCertificate, let rootKey = P256.Signing.PublicKey(root.publicKey) else {
            throw RejectionReason(.collateralSignature, "the collateral does not chain to the trust anchor")
        }
        guard rootCRL.issuer == root.subject, rootCRL.isSigned(by: rootKey) else {
            throw RejectionReason(.collateralSignature, "the root CA CRL is not signed by the trust anchor")
        }
        return window
    }

    /// A signed item's issuer chain, validated: its P-256 signer, the certificates above it, and
    /// when they are all valid.
    private struct ValidatedChain {
        var signer: Certificate
        var signerKey: P256.Signing.PublicKey
        var intermediates: [Certificate]
        var window: CertificateChainValidator.ValidityWindow
    }

    /// Item `name`'s issuer chain (PEM, P-256 signer first), valid to `anchor` at `time`.
    private static func validateChain(
        of name: String,
        chainPEM: String,
        anchor: TrustAnchor,
        at time: Date
    ) throws(RejectionReason) -> ValidatedChain {
        guard let chain = try? CertificateChainValidator.certificates(pem: Array(chainPEM.utf8)), let signer = chain.first,
            let signerKey = P256.Signing.PublicKey(signer.publicKey)
        else {
            throw RejectionReason(.collateralMalformed, "the \(name) issuer chain is not PEM certificates with a P-256 signer")
        }
        let intermediates = Array(chain.dropFirst())
        switch CertificateChainValidator.validate(leaf: signer, intermediates: intermediates, anchor: anchor, at: time) {
        case .failure(let failure):
            throw RejectionReason(.collateralSignature, "\(name) issuer chain: \(failure.message)")
        case .success(let path):
            return ValidatedChain(signer: signer, signerKey: signerKey, intermediates: intermediates, window: path.window)
        }
    }

    /// One signed item's signer, item `name`: not on `rootCRL`, and `signature` (raw r ‖ s)
    /// valid over `text`'s exact bytes.
    private static func verifySigner(
        of name: String,
        chain: ValidatedChain,
        text: String,
        signature: [UInt8],
        rootCRL: CertificateRevocationList
    ) throws(RejectionReason) {
        guard !rootCRL.revokes(chain.signer.serialNumber) else {
            throw RejectionReason(.revoked, "the \(name) signing certificate is on the root CA CRL")
        }
        guard signature.count == 64, let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
            chain.signerKey.isValidSignature(ecdsa, for: Array(text.utf8))
        else {
            throw RejectionReason(.collateralSignature, "the \(name) signature does not verify with \(chain.signer.subject)")
        }
    }

    /// When the TCB Info, the QE Identity and both CRLs are all current; throws unless `time`
    /// lies within each item's issue date and next update, and before each CRL's next update.
    private static func currentWindow(
        tcbInfo: TCBInfo,
        qeIdentity: QEIdentity,
        rootCRL: CertificateRevocationList,
        pckCRL: CertificateRevocationList,
        at time: Date
    ) throws(RejectionReason) -> CertificateChainValidator.ValidityWindow {
        var window = CertificateChainValidator.ValidityWindow(notBefore: .distantPast, notAfter: .distantFuture)
        for (name, item) in [("TCB Info", (tcbInfo.issueDate, tcbInfo.nextUpdate)), ("QE Identity", (qeIdentity.issueDate, qeIdentity.nextUpdate))] {
            guard let issued = CivilTime.parseRFC3339(item.0), let next = CivilTime.parseRFC3339(item.1) else {
                throw RejectionReason(.collateralMalformed, "\(name) dates are not RFC 3339")
            }
            guard time >= issued, time <= next else {
                let state = time < issued ? "is not yet valid (issued \(item.0))" : "expired at \(item.1)"
                throw RejectionReason(.collateralExpired, "\(name) \(state) at \(CivilTime.formatRFC3339(time))")
            }
            window = window.intersection(.init(notBefore: issued, notAfter: next))
        }
        for (name, crl) in [("root CA CRL", rootCRL), ("PCK CRL", pckCRL)] where time >= crl.nextUpdate {
            throw RejectionReason(.collateralExpired, "the \(name) expired at \(CivilTime.formatRFC3339(crl.nextUpdate)); fetch fresh collateral")
        }
        return window.intersection(.init(notBefore: .distantPast, notAfter: min(rootCRL.nextUpdate, pckCRL.nextUpdate).addingTimeInterval(-0.001)))
    }
}

extension CertificateChainValidator.ValidityWindow {
    func intersection(_ other: Self) -> Self {
        Self(notBefore: max(self.notBefore, other.notBefore), notAfter: min(self.notAfter, other.notAfter))
    }
}
