import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import Attestation

/// The fixed-shape chain validator against chains built to break one rule each: a valid
/// root → CA → leaf chain passes, and each broken rule is refused with a sentence naming it.
@Suite("Certificate chain validation")
struct CertificateChainValidatorTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)
    static let now = start.addingTimeInterval(86_400)

    /// A certificate authority (or a leaf) with its key.
    struct Issued {
        var certificate: Certificate
        var key: P256.Signing.PrivateKey
    }

    /// What a certificate of the test chain looks like.
    struct Shape {
        var authority: BasicConstraints = .isCertificateAuthority(maxPathLength: nil)
        var keyUsage = KeyUsage(keyCertSign: true, cRLSign: true)
        var notBefore = CertificateChainValidatorTests.start
        var notAfter = CertificateChainValidatorTests.start.addingTimeInterval(365 * 86_400)
        var unknownCriticalExtension = false
    }

    static func issue(_ name: String, shape: Shape = Shape(), by issuer: Issued? = nil, signingKey: P256.Signing.PrivateKey? = nil) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(name) }
        var extensions = try Certificate.Extensions {
            Critical(shape.authority)
            Critical(shape.keyUsage)
        }
        if shape.unknownCriticalExtension {
            try extensions.append(Certificate.Extension(oid: [1, 3, 6, 1, 4, 1, 99_999, 1], critical: true, value: [0x05, 0x00]))
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: shape.notBefore,
            notValidAfter: shape.notAfter,
            issuer: issuer?.certificate.subject ?? subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(signingKey ?? issuer?.key ?? key)
        )
        return Issued(certificate: certificate, key: key)
    }

    static let leafShape = Shape(authority: .notCertificateAuthority, keyUsage: KeyUsage(digitalSignature: true))

    static func validate(_ leaf: Issued, _ others: [Issued], root: Issued) throws -> Result<
        CertificateChainValidator.ValidatedPath, CertificateChainValidator.ChainFailure
    > {
        CertificateChainValidator.validate(
            leaf: leaf.certificate,
            intermediates: others.map(\.certificate),
            anchor: try TrustAnchor(certificate: root.certificate),
            at: Self.now
        )
    }

    static func failure(_ result: Result<CertificateChainValidator.ValidatedPath, CertificateChainValidator.ChainFailure>) -> String {
        if case .failure(let failure) = result { return failure.message }
        return "validated"
    }

    @Test("root → CA → leaf validates, its window the intersection of the three")
    func validChain() throws {
        let root = try Self.issue("Root")
        let ca = try Self.issue("CA", shape: Shape(notAfter: Self.start.addingTimeInterval(100 * 86_400)), by: root)
        let leaf = try Self.issue("Leaf", shape: Self.leafShape, by: ca)
        let result = try Self.validate(leaf, [ca, root], root: root)
        guard case .success(let path) = result else {
            Issue.record("refused: \(Self.failure(result))")
            return
        }
        #expect(path.window.notAfter == ca.certificate.notValidAfter)
        #expect(path.window.contains(Self.now))
        #expect(path.certificates == [leaf.certificate, ca.certificate, root.certificate])
        // Listed root first, the path is still leaf → CA → root.
        let reordered = try Self.validate(leaf, [root, ca], root: root)
        guard case .success(let same) = reordered else {
            Issue.record("refused: \(Self.failure(reordered))")
            return
        }
        #expect(same.issuer == ca.certificate)
    }

    @Test("each broken rule is refused, naming it")
    func brokenRules() throws {
        let root = try Self.issue("Root")
        let ca = try Self.issue("CA", by: root)
        let leaf = try Self.issue("Leaf", shape: Self.leafShape, by: ca)

        let notCA = try Self.issue("CA", shape: Shape(authority: .notCertificateAuthority), by: root)
        #expect(
            Self.failure(try Self.validate(try Self.issue("Leaf", shape: Self.leafShape, by: notCA), [notCA, root], root: root)).contains(
                "is not a CA"
            )
        )

        let noCertSign = try Self.issue("CA", shape: Shape(keyUsage: KeyUsage(digitalSignature: true)), by: root)
        let noCertSignLeaf = try Self.issue("Leaf", shape: Self.leafShape, by: noCertSign)
        #expect(Self.failure(try Self.validate(noCertSignLeaf, [noCertSign, root], root: root)).contains("may not sign certificates"))

        var critical = Self.leafShape
        critical.unknownCriticalExtension = true
        let criticalLeaf = try Self.issue("Leaf", shape: critical, by: ca)
        #expect(Self.failure(try Self.validate(criticalLeaf, [ca, root], root: root)).contains("critical extension"))

        let forged = try Self.issue("Leaf", shape: Self.leafShape, by: ca, signingKey: P256.Signing.PrivateKey())
        #expect(Self.failure(try Self.validate(forged, [ca, root], root: root)).contains("is not signed by"))

        let strictRoot = try Self.issue("Root", shape: Shape(authority: .isCertificateAuthority(maxPathLength: 0)))
        let middle = try Self.issue("CA", by: strictRoot)
        let deepLeaf = try Self.issue("Leaf", shape: Self.leafShape, by: middle)
        #expect(Self.failure(try Self.validate(deepLeaf, [middle, strictRoot], root: strictRoot)).contains("allows 0 CAs below it"))

        let expired = try Self.issue("CA", shape: Shape(notAfter: Self.now.addingTimeInterval(-1)), by: root)
        #expect(
            Self.failure(try Self.validate(try Self.issue("Leaf", shape: Self.leafShape, by: expired), [expired, root], root: root)).contains(
                "expired"
            )
        )

        let early = try Self.issue("CA", shape: Shape(notBefore: Self.now.addingTimeInterval(60)), by: root)
        #expect(
            Self.failure(try Self.validate(try Self.issue("Leaf", shape: Self.leafShape, by: early), [early, root], root: root)).contains(
                "is not valid before"
            )
        )
        let expiredRoot = try Self.issue("Root", shape: Shape(notAfter: Self.now.addingTimeInterval(-1)))
        let underExpired = try Self.issue("CA", by: expiredRoot)
        #expect(
            Self.failure(
                try Self.validate(try Self.issue("Leaf", shape: Self.leafShape, by: underExpired), [underExpired, expiredRoot], root: expiredRoot)
            ).contains("expired")
        )
        #expect(Self.failure(try Self.validate(leaf, [root], root: root)).contains("nothing in it issued"))
        // A CA under another root of the same name: the name matches, the key does not.
        let impostorCA = try Self.issue("CA", by: try Self.issue("Root"))
        let impostorLeaf = try Self.issue("Leaf", shape: Self.leafShape, by: impostorCA)
        #expect(Self.failure(try Self.validate(impostorLeaf, [impostorCA, root], root: root)).contains("is not signed by"))
        // Pinned by fingerprint: a chain without that root is refused outright.
        let elsewhere = TrustAnchor(fingerprint: try TrustAnchor(certificate: try Self.issue("Elsewhere").certificate).fingerprint)
        let unpinned = CertificateChainValidator.validate(
            leaf: leaf.certificate,
            intermediates: [ca.certificate, root.certificate],
            anchor: elsewhere,
            at: Self.now
        )
        #expect(Self.failure(unpinned).contains("pinned root"))
    }
}
