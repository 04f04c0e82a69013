import Encoding

/// What a verified quote must also show to be accepted: the fleet spec's `attestation.policy`.
///
/// Empty allowlists allow any value. ``violations(of:expectedReportData:)`` lists every
/// violation, not only the first.
public struct AttestationPolicy: Hashable, Sendable {
    /// Allowed MRTD values; empty allows any.
    public var allowedMRTD: Set<[UInt8]>
    /// Allowed values of RTMR0..3; an empty set allows any.
    public var allowedRTMR: [Set<[UInt8]>]
    /// The required MRCONFIGID, if pinned.
    public var mrConfigID: [UInt8]?
    /// The required MROWNER, if pinned.
    public var mrOwner: [UInt8]?
    /// Refuse TDs with the DEBUG attribute.
    public var rejectDebug: Bool
    /// The lowest TEE_TCB_SVN accepted, compared component by component.
    public var minimumTeeTCBSVN: [UInt8]?
    /// The TCB statuses accepted when collateral is checked.
    public var acceptedTCBStatuses: Set<TCBStatus>

    /// Creates a policy; the defaults check nothing but DEBUG and accept only `UpToDate`.
    public init(
        allowedMRTD: Set<[UInt8]> = [],
        allowedRTMR: [Set<[UInt8]>] = [[], [], [], []],
        mrConfigID: [UInt8]? = nil,
        mrOwner: [UInt8]? = nil,
        rejectDebug: Bool = true,
        minimumTeeTCBSVN: [UInt8]? = nil,
        acceptedTCBStatuses: Set<TCBStatus> = [.upToDate]
    ) {
        self.allowedMRTD = allowedMRTD
        self.allowedRTMR = allowedRTMR
        self.mrConfigID = mrConfigID
        self.mrOwner = mrOwner
        self.rejectDebug = rejectDebug
        self.minimumTeeTCBSVN = minimumTeeTCBSVN
        self.acceptedTCBStatuses = acceptedTCBStatuses
    }

    /// No measurement pins; DEBUG refused; only `UpToDate` accepted when collateral is checked.
    public static let measurementsUnpinned = AttestationPolicy()

    /// The policy as text states it (the fleet file's `attestation.policy`, an agent's
    /// `DD_CP_POLICY`): measurements in hex, TCB statuses by Intel's names. A value that is not
    /// hex, or a status Intel does not define, is left out; the fleet schema refuses both first.
    public init(
        hexMRTD: [String],
        hexRTMR: [[String]],
        hexMRConfigID: String?,
        hexMROwner: String?,
        rejectDebug: Bool,
        hexMinimumTeeTCBSVN: String?,
        acceptedTCBStatusNames: [String]
    ) {
        self.init(
            allowedMRTD: Set(hexMRTD.compactMap { Hex.decode($0) }),
            allowedRTMR: (0..<4).map { index in
                Set((index < hexRTMR.count ? hexRTMR[index] : []).compactMap { Hex.decode($0) })
            },
            mrConfigID: hexMRConfigID.flatMap { Hex.decode($0) },
            mrOwner: hexMROwner.flatMap { Hex.decode($0) },
            rejectDebug: rejectDebug,
            minimumTeeTCBSVN: hexMinimumTeeTCBSVN.flatMap { Hex.decode($0) },
            acceptedTCBStatuses: Set(acceptedTCBStatusNames.compactMap { TCBStatus(rawValue: $0) })
        )
    }

    /// Every way `body` breaks this policy, and a REPORTDATA mismatch when one is expected.
    public func violations(of body: TDReportBody, expectedReportData: [UInt8]?) -> [RejectionReason] {
        var reasons: [RejectionReason] = []
        if self.rejectDebug, body.tdAttributes.contains(.debug) {
            reasons.append(RejectionReason(.debugTD, "the TD has the DEBUG attribute, so its memory is not confidential"))
        }
        if !self.allowedMRTD.isEmpty, !self.allowedMRTD.contains(Array(body.mrTD.bytes)) {
            reasons.append(RejectionReason(.mrtd, "MRTD \(body.mrTD) is not on the policy's allowlist (\(self.allowedMRTD.count) values)"))
        }
        for (index, allowed) in self.allowedRTMR.enumerated() where index < body.rtmr.count && !allowed.isEmpty {
            if !allowed.contains(Array(body.rtmr[index].bytes)) {
                reasons.append(RejectionReason(.rtmr, "RTMR\(index) \(body.rtmr[index]) is not on the policy's allowlist"))
            }
        }
        if let pinned = self.mrConfigID, pinned != Array(body.mrConfigID.bytes) {
            reasons.append(RejectionReason(.mrConfigID, "MRCONFIGID \(body.mrConfigID) differs from the pinned \(Hex.encode(pinned))"))
        }
        if let pinned = self.mrOwner, pinned != Array(body.mrOwner.bytes) {
            reasons.append(RejectionReason(.mrOwner, "MROWNER \(body.mrOwner) differs from the pinned \(Hex.encode(pinned))"))
        }
        if let minimum = self.minimumTeeTCBSVN, !body.teeTCBSVN.isAtLeast(minimum) {
            reasons.append(RejectionReason(.teeTCBSVN, "TEE_TCB_SVN \(body.teeTCBSVN) is below the minimum \(Hex.encode(minimum))"))
        }
        if let expected = expectedReportData, expected != Array(body.reportData.bytes) {
            reasons.append(
                RejectionReason(.reportData, "REPORTDATA \(body.reportData) is not the expected binding \(Hex.encode(expected))")
            )
        }
        return reasons
    }
}
