/// An SGX enclave report body (384 bytes): here, the quoting enclave's report inside the quote's
/// certification data.
public struct EnclaveReport: Hashable, Sendable {
    /// The raw 384 bytes, which the PCK key signs.
    public var raw: ArraySlice<UInt8>
    /// The CPU security version.
    public var cpuSVN: TCBSVN
    /// MISCSELECT.
    public var miscSelect: UInt32
    /// The enclave's ATTRIBUTES (16 bytes).
    public var attributes: ByteField
    /// MRENCLAVE.
    public var mrEnclave: ByteField
    /// MRSIGNER: the hash of the enclave signer's key.
    public var mrSigner: ByteField
    /// The product id.
    public var isvProdID: UInt16
    /// The security version.
    public var isvSVN: UInt16
    /// The 64 bytes of REPORTDATA.
    public var reportData: ReportData

    /// The report's size in bytes.
    public static let size = 384

    static func parse(_ reader: inout ByteReader) throws(QuoteParseError) -> EnclaveReport {
        let raw = try reader.bytes(self.size, "QE report")
        var fields = ByteReader(reader.bytes, from: raw.startIndex, to: raw.endIndex)
        let cpuSVN = TCBSVN(try fields.bytes(16, "QE CPUSVN"))
        let miscSelect = try fields.uint32("QE MISCSELECT")
        _ = try fields.bytes(28, "QE reserved")
        let attributes = ByteField(try fields.bytes(16, "QE ATTRIBUTES"))
        let mrEnclave = ByteField(try fields.bytes(32, "QE MRENCLAVE"))
        _ = try fields.bytes(32, "QE reserved")
        let mrSigner = ByteField(try fields.bytes(32, "QE MRSIGNER"))
        _ = try fields.bytes(96, "QE reserved")
        let isvProdID = try fields.uint16("QE ISVPRODID")
        let isvSVN = try fields.uint16("QE ISVSVN")
        _ = try fields.bytes(60, "QE reserved")
        let reportData = ReportData(try fields.bytes(64, "QE REPORTDATA"))
        return EnclaveReport(
            raw: raw,
            cpuSVN: cpuSVN,
            miscSelect: miscSelect,
            attributes: attributes,
            mrEnclave: mrEnclave,
            mrSigner: mrSigner,
            isvProdID: isvProdID,
            isvSVN: isvSVN,
            reportData: reportData
        )
    }
}
