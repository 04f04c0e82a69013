/// The 48-byte header every DCAP quote starts with.
public struct QuoteHeader: Hashable, Sendable {
    /// The quote format version: 4 or 5.
    public var version: UInt16
    /// The attestation key type: 2 = ECDSA-256 with P-256.
    public var attestationKeyType: UInt16
    /// The TEE type: 0x81 = TDX.
    public var teeType: UInt32
    /// Bytes 8..<10 (QE SVN in some layouts; zero in Intel's TDX quotes).
    public var qeSVN: UInt16
    /// Bytes 10..<12 (PCE SVN in some layouts; zero in Intel's TDX quotes).
    public var pceSVN: UInt16
    /// The quoting enclave's vendor: `939a7233f79c4ca9940a0db3957f0607` for Intel.
    public var qeVendorID: ByteField
    /// 20 bytes of user data; the first 16 are the platform id.
    public var userData: ByteField

    /// The header's size in bytes.
    public static let size = 48
    /// The TEE type of TDX.
    public static let tdxTEEType: UInt32 = 0x81
    /// The attestation key type of ECDSA-256 with P-256.
    public static let ecdsaP256KeyType: UInt16 = 2
    /// Intel's quoting-enclave vendor id.
    public static let intelQEVendorID: [UInt8] = [
        0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
    ]

    static func parse(_ reader: inout ByteReader) throws(QuoteParseError) -> QuoteHeader {
        let version = try reader.uint16("header version")
        guard version == 4 || version == 5 else {
            throw QuoteParseError(.unsupportedVersion, at: 0, "quote version \(version) is not supported; expected 4 or 5")
        }
        let keyType = try reader.uint16("attestation key type")
        guard keyType == self.ecdsaP256KeyType else {
            throw QuoteParseError(
                .unsupportedAttestationKeyType,
                at: 2,
                "attestation key type \(keyType) is not supported; expected 2 (ECDSA-256 with P-256)"
            )
        }
        let teeType = try reader.uint32("TEE type")
        guard teeType == self.tdxTEEType else {
            throw QuoteParseError(.notTDX, at: 4, "TEE type 0x\(String(teeType, radix: 16)) is not TDX (0x81)")
        }
        return QuoteHeader(
            version: version,
            attestationKeyType: keyType,
            teeType: teeType,
            qeSVN: try reader.uint16("QE SVN"),
            pceSVN: try reader.uint16("PCE SVN"),
            qeVendorID: ByteField(try reader.bytes(16, "QE vendor id")),
            userData: ByteField(try reader.bytes(20, "user data"))
        )
    }
}
