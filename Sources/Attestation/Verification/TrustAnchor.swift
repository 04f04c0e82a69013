import Crypto
import Encoding
import SwiftASN1
import X509

/// The root a PCK chain and collateral must chain to.
///
/// By default this is Intel's SGX Root CA, pinned by the SHA-256 fingerprint of its DER encoding:
/// the root certificate a quote embeds is used only when its bytes hash to that fingerprint. A
/// test or a local fleet configures its own root certificate instead (``init(certificate:)``).
public struct TrustAnchor: Hashable, Sendable {
    /// SHA-256 of the root's DER encoding.
    public let fingerprint: [UInt8]
    /// The root itself, when known up front; otherwise it is taken from a chain by fingerprint.
    public let certificate: Certificate?

    /// Intel SGX Root CA, `CN=Intel SGX Root CA, O=Intel Corporation`, valid until 2049.
    public static let intelSGXRootCA = TrustAnchor(
        fingerprint: Hex.decode("44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3") ?? []
    )

    /// Pins a root by the SHA-256 fingerprint of its DER encoding.
    public init(fingerprint: [UInt8]) {
        self.fingerprint = fingerprint
        self.certificate = nil
    }

    /// Trusts exactly this root certificate.
    public init(certificate: Certificate) throws {
        self.fingerprint = Array(SHA256.hash(data: try Self.der(certificate)))
        self.certificate = certificate
    }

    /// Trusts the first certificate in this PEM text.
    public init(pem: String) throws {
        try self.init(certificate: try Certificate(pemEncoded: pem))
    }

    /// True for Intel's SGX Root CA.
    public var isIntelSGXRoot: Bool { self.fingerprint == Self.intelSGXRootCA.fingerprint }

    /// The fingerprint as lowercase hex.
    public var fingerprintHex: String { Hex.encode(self.fingerprint) }

    /// The root to validate against: the configured certificate, or the one in `candidates` whose
    /// DER bytes hash to the pinned fingerprint.
    func root(among candidates: [Certificate]) -> Certificate? {
        if let certificate = self.certificate { return certificate }
        return candidates.first { candidate in
            (try? Self.der(candidate)).map { Array(SHA256.hash(data: $0)) == self.fingerprint } ?? false
        }
    }

    /// A certificate's DER encoding.
    package static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
