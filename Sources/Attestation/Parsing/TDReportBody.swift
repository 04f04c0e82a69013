/// The TD report body a quote signs: the TD's measurements and attributes.
///
/// TDX 1.0 bodies are 584 bytes; TDX 1.5 bodies (quote v5, body type 3) add TEE_TCB_SVN2 and
/// MRSERVICETD for 648 bytes.
public struct TDReportBody: Hashable, Sendable {
    /// Which TD report layout this is.
    public enum Kind: UInt16, Hashable, Sendable, CustomStringConvertible {
        /// TDX 1.0, 584 bytes.
        case tdx10 = 2
        /// TDX 1.5, 648 bytes.
        case tdx15 = 3

        /// The body's size in bytes.
        public var size: Int {
            switch self {
            case .tdx10: 584
            case .tdx15: 648
            }
        }

        public var description: String {
            switch self {
            case .tdx10: "TDX 1.0"
            case .tdx15: "TDX 1.5"
            }
        }
    }

    /// The layout.
    public var kind: Kind
    /// The TDX module's TCB SVN (byte 0 minor, byte 1 major version, then SEAM loader and others).
    public var teeTCBSVN: TCBSVN
    /// The TDX module's measurement.
    public var mrSeam: Measurement
    /// The TDX module signer's measurement (zero for Intel's module).
    public var mrSignerSeam: Measurement
    /// The TDX module's attributes.
    public var seamAttributes: ByteField
    /// The TD's attributes (DEBUG and others).
    public var tdAttributes: TDAttributes
    /// The TD's extended feature mask.
    public var xfam: ByteField
    /// The TD's initial contents (firmware).
    public var mrTD: Measurement
    /// A software-defined configuration id, set by the host.
    public var mrConfigID: Measurement
    /// A software-defined owner id, set by the host.
    public var mrOwner: Measurement
    /// A software-defined owner configuration, set by the host.
    public var mrOwnerConfig: Measurement
    /// The runtime-extendable measurement registers RTMR0..3.
    public var rtmr: [Measurement]
    /// The 64 bytes the TD put into its report.
    public var reportData: ReportData
    /// TDX 1.5 only: the second TEE TCB SVN.
    public var teeTCBSVN2: TCBSVN?
    /// TDX 1.5 only: the service TD's measurement.
    public var mrServiceTD: Measurement?

    static func parse(_ reader: inout ByteReader, kind: Kind) throws(QuoteParseError) -> TDReportBody {
        let teeTCBSVN = TCBSVN(try reader.bytes(16, "TEE_TCB_SVN"))
        let mrSeam = Measurement(try reader.bytes(48, "MRSEAM"))
        let mrSignerSeam = Measurement(try reader.bytes(48, "MRSIGNERSEAM"))
        let seamAttributes = ByteField(try reader.bytes(8, "SEAMATTRIBUTES"))
        let tdAttributes = TDAttributes(rawValue: try reader.uint64("TDATTRIBUTES"))
        let xfam = ByteField(try reader.bytes(8, "XFAM"))
        let mrTD = Measurement(try reader.bytes(48, "MRTD"))
        let mrConfigID = Measurement(try reader.bytes(48, "MRCONFIGID"))
        let mrOwner = Measurement(try reader.bytes(48, "MROWNER"))
        let mrOwnerConfig = Measurement(try reader.bytes(48, "MROWNERCONFIG"))
        var rtmr: [Measurement] = []
        for index in 0..<4 {
            rtmr.append(Measurement(try reader.bytes(48, "RTMR\(index)")))
        }
        let reportData = ReportData(try reader.bytes(64, "REPORTDATA"))
        var body = TDReportBody(
            kind: kind,
            teeTCBSVN: teeTCBSVN,
            mrSeam: mrSeam,
            mrSignerSeam: mrSignerSeam,
            seamAttributes: seamAttributes,
            tdAttributes: tdAttributes,
            xfam: xfam,
            mrTD: mrTD,
            mrConfigID: mrConfigID,
            mrOwner: mrOwner,
            mrOwnerConfig: mrOwnerConfig,
            rtmr: rtmr,
            reportData: reportData
        )
        if kind == .tdx15 {
            body.teeTCBSVN2 = TCBSVN(try reader.bytes(16, "TEE_TCB_SVN2"))
            body.mrServiceTD = Measurement(try reader.bytes(48, "MRSERVICETD"))
        }
        return body
    }
}
