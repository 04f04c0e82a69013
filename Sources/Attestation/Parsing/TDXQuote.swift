/// A parsed Intel TDX DCAP quote (version 4 or 5).
///
/// Parsing checks structure only: every length fits inside its parent, every type field holds a
/// supported value. Nothing is trusted until ``QuoteVerifier`` has checked the signatures and the
/// certificate chain. Fields are slices of ``raw``; parsing copies no field bytes. Bytes after the
/// signature data are tolerated and counted in ``trailingByteCount``.
public struct TDXQuote: Hashable, Sendable {
    /// The quote exactly as received.
    public let raw: [UInt8]
    /// The header.
    public let header: QuoteHeader
    /// The TD report body.
    public let body: TDReportBody
    /// The signature and certification data.
    public let signatureData: QuoteSignatureData
    /// The byte range the attestation key signs: header, (v5) body descriptor, and body.
    public let signedRange: Range<Int>
    /// The byte range of the signature data, after its length field.
    public let signatureDataRange: Range<Int>
    /// How many bytes follow the signature data (ignored).
    public let trailingByteCount: Int

    /// The bytes the attestation key signs.
    public var signedBytes: ArraySlice<UInt8> { self.raw[self.signedRange] }

    /// Parses a quote.
    /// - Throws: ``QuoteParseError`` naming the first structural problem and its byte offset.
    public init(_ bytes: [UInt8]) throws(QuoteParseError) {
        var reader = ByteReader(bytes)
        let header = try QuoteHeader.parse(&reader)
        let kind: TDReportBody.Kind
        if header.version == 5 {
            let typeOffset = reader.position
            let bodyType = try reader.uint16("body type")
            guard let parsedKind = TDReportBody.Kind(rawValue: bodyType) else {
                throw QuoteParseError(
                    .unsupportedBodyType,
                    at: typeOffset,
                    "v5 body type \(bodyType) is not supported; expected 2 (TDX 1.0) or 3 (TDX 1.5)"
                )
            }
            let bodySize = try reader.uint32("body size")
            guard bodySize == parsedKind.size else {
                throw QuoteParseError(
                    .bodySizeMismatch,
                    at: typeOffset + 2,
                    "v5 body size \(bodySize) does not match body type \(bodyType) (\(parsedKind.size) bytes)"
                )
            }
            kind = parsedKind
        } else {
            kind = .tdx10
        }
        let body = try TDReportBody.parse(&reader, kind: kind)
        let signedEnd = reader.position
        var signatureReader = try reader.lengthPrefixed32("signature data")
        let signatureStart = signatureReader.position
        let signatureData = try QuoteSignatureData.parse(&signatureReader)
        self.raw = bytes
        self.header = header
        self.body = body
        self.signatureData = signatureData
        self.signedRange = 0..<signedEnd
        self.signatureDataRange = signatureStart..<signatureReader.end
        self.trailingByteCount = bytes.count - signatureReader.end
    }
}
