import Encoding

/// The platform's TCB judged against verified collateral.
public struct TCBEvaluation: Hashable, Sendable {
    /// The converged status (platform, TDX module, QE).
    public var status: TCBStatus
    /// The advisories that apply, platform first, without duplicates.
    public var advisoryIDs: [String]
    /// The date of the matched platform level (the older one when a module level applies).
    public var tcbDate: String
    /// The TCB evaluation data number of the TCB Info.
    public var tcbEvaluationDataNumber: Int
}

/// Evaluates a quote's TCB against TCB Info and QE Identity: a pure function of its inputs,
/// following Intel's quote verification library (and dcap-qvl, whose verdicts ours match).
enum TCBEvaluator {
    /// Everything about one quote the evaluation reads.
    struct Input {
        var body: TDReportBody
        var qeReport: EnclaveReport
        var pck: SGXExtension
    }

    static func evaluate(_ input: Input, tcbInfo: TCBInfo, qeIdentity: QEIdentity) -> Result<TCBEvaluation, RejectionReason> {
        guard tcbInfo.id == "TDX", tcbInfo.version >= 3 else {
            return .failure(RejectionReason(.collateralMismatch, "TCB Info is \(tcbInfo.id) v\(tcbInfo.version), not TDX v3"))
        }
        guard Hex.decode(tcbInfo.fmspc) == input.pck.fmspc else {
            return .failure(
                RejectionReason(
                    .collateralMismatch,
                    "TCB Info is for FMSPC \(tcbInfo.fmspc.lowercased()) but the PCK certificate is for \(Hex.encode(input.pck.fmspc))"
                )
            )
        }
        guard Hex.decode(tcbInfo.pceId) == input.pck.pceID else {
            return .failure(
                RejectionReason(.collateralMismatch, "TCB Info PCE-ID \(tcbInfo.pceId) differs from the certificate's \(Hex.encode(input.pck.pceID))")
            )
        }
        let platform: (TCBStatus, [String], String)
        switch self.platformLevel(input, tcbInfo: tcbInfo, teeTCBSVN: Array(input.body.teeTCBSVN.bytes)) {
        case .failure(let reason): return .failure(reason)
        case .success(let level): platform = level
        }
        if let svn2 = input.body.teeTCBSVN2 {
            // TDX 1.5 reports the current module TCB separately; it must match a level too.
            switch self.platformLevel(input, tcbInfo: tcbInfo, teeTCBSVN: Array(svn2.bytes)) {
            case .failure(let reason): return .failure(reason)
            case .success(let current) where current.0 == .revoked:
                return .failure(RejectionReason(.revoked, "the current TDX module TCB (TEE_TCB_SVN2) is Revoked"))
            case .success: break
            }
        }
        let qe: (TCBStatus, [String])
        switch self.qeLevel(input.qeReport, identity: qeIdentity) {
        case .failure(let reason): return .failure(reason)
        case .success(let level): qe = level
        }
        var advisories = platform.1
        for advisory in qe.1 where !advisories.contains(advisory) { advisories.append(advisory) }
        let status = platform.0.converged(with: qe.0)
        guard status != .revoked else {
            return .failure(RejectionReason(.revoked, "the platform's TCB status is Revoked"))
        }
        return .success(
            TCBEvaluation(status: status, advisoryIDs: advisories, tcbDate: platform.2, tcbEvaluationDataNumber: tcbInfo.tcbEvaluationDataNumber)
        )
    }

    /// The first platform level (sorted newest first) the PCK's SVNs and `teeTCBSVN` reach, converged
    /// with the TDX module's level.
    private static func platformLevel(
        _ input: Input,
        tcbInfo: TCBInfo,
        teeTCBSVN: [UInt8]
    ) -> Result<(TCBStatus, [String], String), RejectionReason> {
        let levels = self.sorted(tcbInfo.tcbLevels)
        var matched: TCBInfo.Level?
        for level in levels {
            guard level.tcb.sgxtcbcomponents.count == 16, level.tcb.tdxtcbcomponents?.count == 16 else {
                return .failure(RejectionReason(.collateralMalformed, "a TCB Info level does not have 16 SGX and 16 TDX components"))
            }
            if input.pck.pceSVN < level.tcb.pcesvn { continue }
            if zip(input.pck.cpuSVN, level.tcb.sgxtcbcomponents).contains(where: { Int($0) < $1.svn }) { continue }
            let skip = teeTCBSVN[1] > 0 ? 2 : 0
            let tdx = level.tcb.tdxtcbcomponents ?? []
            if zip(teeTCBSVN, tdx).dropFirst(skip).contains(where: { Int($0) < $1.svn }) { continue }
            matched = level
            break
        }
        guard let matched else {
            return .failure(RejectionReason(.tcbStatus, "no TCB level in the TCB Info matches this platform's SVNs (TCB status unknown)"))
        }
        var status = matched.tcbStatus
        var advisories = matched.advisoryIDs ?? []
        var date = matched.tcbDate
        if let failure = self.checkModuleIdentity(input.body, tcbInfo: tcbInfo, majorVersion: teeTCBSVN[1]) {
            return .failure(failure)
        }
        if teeTCBSVN[1] > 0 {
            let id = "tdx_" + Hex.encode([teeTCBSVN[1]])
            guard let identity = tcbInfo.tdxModuleIdentities?.first(where: { $0.id.lowercased() == id }) else {
                return .failure(RejectionReason(.collateralMismatch, "TCB Info has no TDX module identity \(id.uppercased())"))
            }
            guard let level = identity.tcbLevels.first(where: { $0.tcb.isvsvn <= Int(teeTCBSVN[0]) }) else {
                return .failure(RejectionReason(.tcbStatus, "no \(id.uppercased()) level matches TDX module SVN \(teeTCBSVN[0])"))
            }
            status = status.converged(with: level.tcbStatus)
            for advisory in level.advisoryIDs ?? [] where !advisories.contains(advisory) { advisories.append(advisory) }
            date = min(date, level.tcbDate)
        }
        return .success((status, advisories, date))
    }

    /// MRSIGNERSEAM and SEAMATTRIBUTES against the module identity for this major version.
    private static func checkModuleIdentity(_ body: TDReportBody, tcbInfo: TCBInfo, majorVersion: UInt8) -> RejectionReason? {
        guard let module = tcbInfo.tdxModule else {
            return RejectionReason(.collateralMalformed, "TCB Info has no tdxModule")
        }
        var expected = (module.mrsigner, module.attributes, module.attributesMask)
        if majorVersion > 0, let identity = tcbInfo.tdxModuleIdentities?.first(where: { $0.id.lowercased() == "tdx_" + Hex.encode([majorVersion]) }) {
            expected = (identity.mrsigner, identity.attributes, identity.attributesMask)
        }
        guard Hex.decode(expected.0) == Array(body.mrSignerSeam.bytes) else {
            return RejectionReason(.collateralMismatch, "MRSIGNERSEAM \(body.mrSignerSeam) is not the TDX module signer the TCB Info names")
        }
        guard let attributes = Hex.decode(expected.1), let mask = Hex.decode(expected.2), attributes.count == 8, mask.count == 8 else {
            return RejectionReason(.collateralMalformed, "TCB Info TDX module attributes are not 8 hex bytes")
        }
        for (index, actual) in body.seamAttributes.bytes.enumerated()
        where actual & mask[index] != attributes[index] & mask[index] || actual & ~mask[index] != 0 {
            return RejectionReason(.collateralMismatch, "SEAMATTRIBUTES \(body.seamAttributes) do not match the TDX module identity")
        }
        return nil
    }

    /// The QE's identity checks and its level.
    private static func qeLevel(_ report: EnclaveReport, identity: QEIdentity) -> Result<(TCBStatus, [String]), RejectionReason> {
        guard identity.id == "TD_QE", identity.version == 2 || identity.version == 3 else {
            return .failure(RejectionReason(.collateralMismatch, "QE Identity is \(identity.id) v\(identity.version), not TD_QE"))
        }
        guard let mrSigner = Hex.decode(identity.mrsigner), let misc = Hex.decode(identity.miscselect),
            let miscMask = Hex.decode(identity.miscselectMask), let attributes = Hex.decode(identity.attributes),
            let attributesMask = Hex.decode(identity.attributesMask), misc.count == 4, miscMask.count == 4,
            attributes.count == 16, attributesMask.count == 16
        else {
            return .failure(RejectionReason(.collateralMalformed, "QE Identity hex fields have the wrong form"))
        }
        guard Array(report.mrSigner.bytes) == mrSigner else {
            return .failure(RejectionReason(.qeIdentity, "QE MRSIGNER \(report.mrSigner) is not the one QE Identity names"))
        }
        guard report.attributes.bytes.first.map({ $0 & 0x02 == 0 }) ?? false else {
            return .failure(RejectionReason(.qeIdentity, "the quoting enclave is in DEBUG mode"))
        }
        guard Int(report.isvProdID) == identity.isvprodid else {
            return .failure(RejectionReason(.qeIdentity, "QE ISVPRODID \(report.isvProdID) is not \(identity.isvprodid)"))
        }
        let miscExpected = misc.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let miscMaskValue = miscMask.reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard report.miscSelect & miscMaskValue == miscExpected & miscMaskValue else {
            return .failure(RejectionReason(.qeIdentity, "QE MISCSELECT does not match QE Identity"))
        }
        for (index, actual) in report.attributes.bytes.enumerated() where actual & attributesMask[index] != attributes[index] & attributesMask[index]
        {
            return .failure(RejectionReason(.qeIdentity, "QE ATTRIBUTES \(report.attributes) do not match QE Identity"))
        }
        guard let level = identity.tcbLevels.first(where: { $0.tcb.isvsvn <= Int(report.isvSVN) }) else {
            return .failure(RejectionReason(.tcbStatus, "no QE Identity level matches QE ISVSVN \(report.isvSVN)"))
        }
        guard level.tcbStatus != .swHardeningNeeded, level.tcbStatus != .configurationAndSWHardeningNeeded else {
            return .failure(RejectionReason(.collateralMalformed, "QE Identity level status \(level.tcbStatus) is not valid for a QE"))
        }
        return .success((level.tcbStatus, level.advisoryIDs ?? []))
    }

    /// Levels newest first: by SGX components, then PCE SVN, then TDX components (a stable sort).
    private static func sorted(_ levels: [TCBInfo.Level]) -> [TCBInfo.Level] {
        let keyed = levels.enumerated().map { (offset: $0.offset, level: $0.element) }
        return keyed.sorted { lhs, rhs in
            let left = lhs.level.tcb
            let right = rhs.level.tcb
            let leftSGX = left.sgxtcbcomponents.map(\.svn)
            let rightSGX = right.sgxtcbcomponents.map(\.svn)
            if leftSGX != rightSGX { return leftSGX.lexicographicallyPrecedes(rightSGX) == false }
            if left.pcesvn != right.pcesvn { return left.pcesvn > right.pcesvn }
            let leftTDX = (left.tdxtcbcomponents ?? []).map(\.svn)
            let rightTDX = (right.tdxtcbcomponents ?? []).map(\.svn)
            if leftTDX != rightTDX { return leftTDX.lexicographicallyPrecedes(rightTDX) == false }
            return lhs.offset < rhs.offset
        }.map(\.level)
    }
}
