/// The signature data that follows the report body: the quote's ECDSA signature, the attestation
/// key, and the certification data that vouches for that key (QE report, its PCK signature, the
/// PCK certificate chain).
public struct QuoteSignatureData: Hashable, Sendable {
    /// ECDSA-P256 signature r‖s over the header and body, by the attestation key.
    public var quoteSignature: ByteField
    /// The attestation public key X‖Y (64 bytes, no 0x04 prefix).
    public var attestationKey: ByteField
    /// The quoting enclave's report; its REPORTDATA binds the attestation key.
    public var qeReport: EnclaveReport
    /// ECDSA-P256 signature r‖s over the QE report, by the PCK leaf key.
    public var qeReportSignature: ByteField
    /// QE authentication data, hashed together with the attestation key into the QE REPORTDATA.
    public var qeAuthData: ArraySlice<UInt8>
    /// The PCK certificate chain as PEM text (leaf, intermediate CA, root), possibly NUL-terminated.
    public var pckCertificateChainPEM: ArraySlice<UInt8>

    /// Certification data type 6: QE report certification data.
    public static let qeReportCertificationDataType: UInt16 = 6
    /// Certification data type 5: the PCK certificate chain in PEM.
    public static let pckCertificateChainType: UInt16 = 5

    static func parse(_ reader: inout ByteReader) throws(QuoteParseError) -> QuoteSignatureData {
        let quoteSignature = ByteField(try reader.bytes(64, "quote signature"))
        let attestationKey = ByteField(try reader.bytes(64, "attestation key"))
        try reader.expectType(self.qeReportCertificationDataType, "certification data type", meaning: "QE report certification data")
        var certification = try reader.lengthPrefixed32("QE report certification data")
        let qeReport = try EnclaveReport.parse(&certification)
        let qeReportSignature = ByteField(try certification.bytes(64, "QE report signature"))
        let authLength = Int(try certification.uint16("QE authentication data length"))
        guard authLength <= certification.remaining else {
            throw QuoteParseError(
                .lengthOutOfBounds,
                at: certification.position - 2,
                "QE authentication data length \(authLength) exceeds the \(certification.remaining) bytes that remain"
            )
        }
        let qeAuthData = try certification.bytes(authLength, "QE authentication data")
        try certification.expectType(self.pckCertificateChainType, "inner certification data type", meaning: "PCK certificate chain")
        var chain = try certification.lengthPrefixed32("PCK certificate chain")
        let pem = try chain.bytes(chain.remaining, "PCK certificate chain")
        return QuoteSignatureData(
            quoteSignature: quoteSignature,
            attestationKey: attestationKey,
            qeReport: qeReport,
            qeReportSignature: qeReportSignature,
            qeAuthData: qeAuthData,
            pckCertificateChainPEM: pem
        )
    }
}
