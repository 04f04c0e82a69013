import Encoding
import X509

/// The platform a quote comes from, as a PCCS keys its collateral: the FMSPC and the PCK CA
/// (`platform` or `processor`) from the quote's PCK certificate chain.
public struct PCKPlatform: Hashable, Sendable, CustomStringConvertible {
    /// The FMSPC, 12 lowercase hex characters.
    public var fmspc: String
    /// The PCK CA type: `platform` or `processor`.
    public var ca: String

    /// Creates a platform key.
    public init(fmspc: String, ca: String) {
        self.fmspc = fmspc.lowercased()
        self.ca = ca
    }

    /// The platform of `quote`'s PCK leaf.
    /// - Throws: ``CollateralUnavailable`` when the chain cannot be read or its leaf has no SGX
    ///   extension (such a quote fails verification anyway).
    public init(of quote: TDXQuote) throws(CollateralUnavailable) {
        let certificates: [Certificate]
        do {
            certificates = try CertificateChainValidator.certificates(pem: quote.signatureData.pckCertificateChainPEM)
        } catch {
            throw CollateralUnavailable(message: "the quote's PCK chain cannot be read: \(error)")
        }
        guard certificates.count >= 2,
            let sgx = certificates[0].extensions[oid: SGXExtension.oid].flatMap({ try? SGXExtension(derEncoded: $0.value) })
        else { throw CollateralUnavailable(message: "the quote's PCK chain has no leaf with an SGX extension") }
        self.init(fmspc: Hex.encode(sgx.fmspc), ca: "\(certificates[0].issuer)".contains("Processor") ? "processor" : "platform")
    }

    public var description: String { "FMSPC \(self.fmspc) (\(self.ca) CA)" }
}
