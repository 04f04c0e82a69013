import Attestation

/// What a simulated TD reports: the measurements and REPORTDATA to put into a quote.
public struct SimulatedQuoteRequest: Hashable, Sendable {
    /// The quote format version, 4 (TDX 1.0 body) or 5 (TDX 1.5 body).
    public var version: UInt16
    /// MRTD (48 bytes).
    public var mrTD: [UInt8]
    /// RTMR0..3 (48 bytes each).
    public var rtmr: [[UInt8]]
    /// MRCONFIGID (48 bytes).
    public var mrConfigID: [UInt8]
    /// MROWNER (48 bytes).
    public var mrOwner: [UInt8]
    /// MROWNERCONFIG (48 bytes).
    public var mrOwnerConfig: [UInt8]
    /// REPORTDATA (64 bytes).
    public var reportData: [UInt8]
    /// TDATTRIBUTES.
    public var tdAttributes: TDAttributes
    /// TEE_TCB_SVN (16 bytes): byte 0 the module's minor SVN, byte 1 its major version.
    public var teeTCBSVN: [UInt8]

    /// Creates a request; unset measurements are zero, attributes are SEPT_VE_DISABLE only, and the
    /// TDX module is version 3 at SVN 5.
    public init(
        version: UInt16 = 4,
        mrTD: [UInt8] = Array(repeating: 0, count: 48),
        rtmr: [[UInt8]] = Array(repeating: Array(repeating: 0, count: 48), count: 4),
        mrConfigID: [UInt8] = Array(repeating: 0, count: 48),
        mrOwner: [UInt8] = Array(repeating: 0, count: 48),
        mrOwnerConfig: [UInt8] = Array(repeating: 0, count: 48),
        reportData: [UInt8] = Array(repeating: 0, count: 64),
        tdAttributes: TDAttributes = .septVEDisable,
        teeTCBSVN: [UInt8] = [5, 3, 2] + Array(repeating: 0, count: 13)
    ) {
        self.version = version
        self.mrTD = mrTD
        self.rtmr = rtmr
        self.mrConfigID = mrConfigID
        self.mrOwner = mrOwner
        self.mrOwnerConfig = mrOwnerConfig
        self.reportData = reportData
        self.tdAttributes = tdAttributes
        self.teeTCBSVN = teeTCBSVN
    }
}
