import Foundation
import SwiftASN1
import X509

/// Validates the short, fixed-shape chains Intel's attestation uses (PCK leaf → PCK CA → root;
/// TCB signing certificate → root) to a ``TrustAnchor`` at an injected time.
///
/// The path is built by name from the leaf up to the pinned root (at most ``maximumDepth``
/// certificates), and every step is checked as RFC 5280 requires for such a path: each
/// signature by its issuer's key; every certificate, the root included, valid at the time;
/// every issuer a CA (basic constraints) allowed to sign certificates (key usage, when present)
/// within its path-length limit; and no critical extension this validator does not understand.
/// Name constraints and certificate policies, which Intel's hierarchy does not use, are not
/// supported: a certificate that marks them critical is refused. This is the work of a general
/// path builder without its search and policy machinery, so a cold verification stays cheap.
enum CertificateChainValidator {
    /// The time window in which every certificate of a validated chain is valid.
    struct ValidityWindow: Hashable, Sendable {
        var notBefore: Date
        var notAfter: Date

        func contains(_ time: Date) -> Bool { time >= self.notBefore && time <= self.notAfter }
    }

    /// The longest path accepted, root included (Intel's are two or three certificates).
    static let maximumDepth = 5

    /// The critical extensions understood here; any other critical extension fails the chain.
    private static let understoodCritical: Set<ASN1ObjectIdentifier> = [.X509ExtensionID.basicConstraints, .X509ExtensionID.keyUsage]

    /// Parses concatenated PEM certificates (trailing NULs and text after the last one ignored).
    static func certificates(pem: some Collection<UInt8>) throws -> [Certificate] {
        let text = String(decoding: pem, as: UTF8.self)
        return try PEMDocument.parseMultiple(pemString: text).map { try Certificate(derEncoded: $0.derBytes) }
    }

    /// A validated chain: the path from the leaf to the root, and when it is all valid.
    struct ValidatedPath: Sendable {
        /// Leaf first, root last.
        var certificates: [Certificate]
        /// When every certificate of the path is valid.
        var window: ValidityWindow
        /// The leaf's issuer.
        var issuer: Certificate { self.certificates[1] }
    }

    /// Validates `leaf` through `intermediates` to the anchor at `time`.
    /// - Returns: the validated path, or a sentence saying why it does not validate.
    static func validate(leaf: Certificate, intermediates: [Certificate], anchor: TrustAnchor, at time: Date) -> Result<ValidatedPath, ChainFailure> {
        guard let root = anchor.root(among: intermediates) else {
            return .failure(ChainFailure(message: "the chain does not include the pinned root (SHA-256 fingerprint \(anchor.fingerprintHex))"))
        }
        switch self.path(from: leaf, through: intermediates.filter { $0 != root }, to: root) {
        case .failure(let failure):
            return .failure(failure)
        case .success(let path):
            if let failure = self.checkCertificates(of: path, at: time) { return .failure(failure) }
            let window = ValidityWindow(notBefore: path.map(\.notValidBefore).max() ?? time, notAfter: path.map(\.notValidAfter).min() ?? time)
            return .success(ValidatedPath(certificates: path, window: window))
        }
    }

    /// The path from `leaf` to `root` by issuer name, every signature checked on the way.
    private static func path(from leaf: Certificate, through candidates: [Certificate], to root: Certificate) -> Result<[Certificate], ChainFailure> {
        var path = [leaf]
        var unused = candidates
        while path.count < self.maximumDepth, let current = path.last {
            let issuer: Certificate
            if current.issuer == root.subject {
                issuer = root
            } else if let index = unused.firstIndex(where: { $0.subject == current.issuer }) {
                issuer = unused.remove(at: index)
            } else {
                return .failure(
                    ChainFailure(message: "certificate chain of \(leaf.subject) does not validate: nothing in it issued \(current.subject)")
                )
            }
            guard issuer.publicKey.isValidSignature(current.signature, for: current) else {
                return .failure(
                    ChainFailure(
                        message: "certificate chain of \(leaf.subject) does not validate: \(current.subject) is not signed by \(issuer.subject)"
                    )
                )
            }
            path.append(issuer)
            if issuer == root { return .success(path) }
        }
        return .failure(
            ChainFailure(message: "certificate chain of \(leaf.subject) does not validate: longer than \(self.maximumDepth) certificates")
        )
    }

    /// Every certificate of `path` (leaf first, root last) judged at `time`: its validity, its
    /// critical extensions, and for each issuer its CA rights and path length.
    private static func checkCertificates(of path: [Certificate], at time: Date) -> ChainFailure? {
        for (position, certificate) in path.enumerated() {
            // Built only for a failure: naming certificates is costly, and a valid chain names none.
            var prefix: String { "certificate chain of \(path[0].subject) does not validate: \(certificate.subject)" }
            guard time >= certificate.notValidBefore else {
                return ChainFailure(message: "\(prefix) is not valid before \(certificate.notValidBefore)")
            }
            guard time <= certificate.notValidAfter else { return ChainFailure(message: "\(prefix) expired at \(certificate.notValidAfter)") }
            if let unknown = certificate.extensions.first(where: { $0.critical && !self.understoodCritical.contains($0.oid) }) {
                return ChainFailure(message: "\(prefix) has a critical extension this verifier does not support (\(unknown.oid))")
            }
            guard position > 0 else { continue }
            // Issuers: a CA, allowed to sign certificates, over at most its path length of CAs below it.
            guard case .some(.isCertificateAuthority(let maximumPathLength)) = try? certificate.extensions.basicConstraints else {
                return ChainFailure(message: "\(prefix) issues a certificate but is not a CA")
            }
            if let maximumPathLength, position - 1 > maximumPathLength {
                return ChainFailure(message: "\(prefix) allows \(maximumPathLength) CAs below it, the chain has \(position - 1)")
            }
            do {
                if let usage = try certificate.extensions.keyUsage, !usage.keyCertSign {
                    return ChainFailure(message: "\(prefix) may not sign certificates (key usage)")
                }
            } catch {
                return ChainFailure(message: "\(prefix) has a malformed key usage extension")
            }
        }
        return nil
    }

    /// Why a chain did not validate.
    struct ChainFailure: Error, Hashable, Sendable {
        var message: String
    }
}
