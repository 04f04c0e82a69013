import Attestation
import Crypto
import Encoding
import Foundation
import SwiftASN1
import X509

/// A stand-in for Intel's attestation infrastructure, for tests and local fleets: a generated
/// root CA, PCK platform CA, PCK leaf (with a real SGX extension), TCB signing certificate, a
/// quoting enclave and its attestation key. It issues quotes in the exact TDX binary format and
/// collateral in the exact PCS form, all chained to its own root.
///
/// A verifier accepts these only when configured with ``rootCertificate`` as its trust anchor;
/// with Intel's pinned root it rejects them, which tests prove.
public struct SimulatedTDXAuthority: Sendable {
    /// The generated root CA.
    public let rootCertificate: Certificate
    /// The PCK platform CA.
    public let platformCACertificate: Certificate
    /// The PCK leaf certificate of the simulated platform.
    public let pckCertificate: Certificate
    /// The TCB Info / QE Identity signing certificate.
    public let tcbSigningCertificate: Certificate
    /// The platform's identity and TCB as its PCK certificate states them.
    public let platform: SGXExtension
    /// The QE's ISVSVN.
    public let qeISVSVN: UInt16

    private let rootKey: P256.Signing.PrivateKey
    private let platformCAKey: P256.Signing.PrivateKey
    private let pckKey: P256.Signing.PrivateKey
    private let tcbSigningKey: P256.Signing.PrivateKey
    private let attestationKey: P256.Signing.PrivateKey
    /// The QE's report certifying the attestation key, signed once by the PCK key, as a real QE
    /// does when it creates its attestation key; every quote carries the same bytes.
    private let qeReport: [UInt8]
    private let qeReportSignature: [UInt8]
    private static let qeAuthData = Array(UInt8(0)..<32)

    /// A trust anchor for this authority's root.
    public var trustAnchor: TrustAnchor {
        get throws { try TrustAnchor(certificate: self.rootCertificate) }
    }

    /// Creates a hierarchy whose certificates are valid from `notBefore` for `years`.
    public init(notBefore: Date, years: Int = 10, fmspc: [UInt8] = [0x90, 0xc0, 0x6f, 0x00, 0x00, 0x00], qeISVSVN: UInt16 = 4) throws {
        let notAfter = notBefore.addingTimeInterval(Double(years) * 365 * 86_400)
        self.rootKey = P256.Signing.PrivateKey()
        self.platformCAKey = P256.Signing.PrivateKey()
        let pckKey = P256.Signing.PrivateKey()
        self.pckKey = pckKey
        self.tcbSigningKey = P256.Signing.PrivateKey()
        let attestationKey = P256.Signing.PrivateKey()
        self.attestationKey = attestationKey
        self.qeISVSVN = qeISVSVN
        let cpuSVN: [UInt8] = [3, 3, 2, 2, 3, 1, 0, 5] + Array(repeating: 0, count: 8)
        let attestationPublic = Array(attestationKey.publicKey.rawRepresentation)
        let qeReport = Self.qeReport(cpuSVN: cpuSVN, qeISVSVN: qeISVSVN, attestationPublic: attestationPublic)
        self.qeReport = qeReport
        self.qeReportSignature = Array(try pckKey.signature(for: qeReport).rawRepresentation)
        self.platform = SGXExtension(
            ppid: Array(SHA256.hash(data: Array(P256.Signing.PrivateKey().publicKey.rawRepresentation)).prefix(16)),
            sgxTCBComponents: cpuSVN,
            pceSVN: 13,
            cpuSVN: cpuSVN,
            pceID: [0, 0],
            fmspc: fmspc,
            sgxType: 0
        )
        let rootName = try Self.name("DevOps Defender Simulated SGX Root CA")
        let platformName = try Self.name("DevOps Defender Simulated SGX PCK Platform CA")
        self.rootCertificate = try Self.issue(
            subject: rootName,
            key: self.rootKey.publicKey,
            issuer: rootName,
            issuerKey: self.rootKey,
            validity: (notBefore, notAfter),
            authority: .isCertificateAuthority(maxPathLength: 1)
        )
        self.platformCACertificate = try Self.issue(
            subject: platformName,
            key: self.platformCAKey.publicKey,
            issuer: rootName,
            issuerKey: self.rootKey,
            validity: (notBefore, notAfter),
            authority: .isCertificateAuthority(maxPathLength: 0)
        )
        self.pckCertificate = try Self.issue(
            subject: try Self.name("DevOps Defender Simulated SGX PCK Certificate"),
            key: self.pckKey.publicKey,
            issuer: platformName,
            issuerKey: self.platformCAKey,
            validity: (notBefore, notAfter),
            authority: .notCertificateAuthority,
            sgx: try self.platform.derEncoded()
        )
        self.tcbSigningCertificate = try Self.issue(
            subject: try Self.name("DevOps Defender Simulated SGX TCB Signing"),
            key: self.tcbSigningKey.publicKey,
            issuer: rootName,
            issuerKey: self.rootKey,
            validity: (notBefore, notAfter),
            authority: .notCertificateAuthority
        )
    }

    /// The root certificate's DER encoding.
    /// Reassembles an authority from its parts (``init(exported:)``).
    init(
        rootCertificate: Certificate,
        platformCACertificate: Certificate,
        pckCertificate: Certificate,
        tcbSigningCertificate: Certificate,
        platform: SGXExtension,
        qeISVSVN: UInt16,
        keys: (
            root: P256.Signing.PrivateKey, platformCA: P256.Signing.PrivateKey, pck: P256.Signing.PrivateKey, tcbSigning: P256.Signing.PrivateKey,
            attestation: P256.Signing.PrivateKey
        ),
        qeReport: [UInt8],
        qeReportSignature: [UInt8]
    ) throws {
        self.rootCertificate = rootCertificate
        self.platformCACertificate = platformCACertificate
        self.pckCertificate = pckCertificate
        self.tcbSigningCertificate = tcbSigningCertificate
        self.platform = platform
        self.qeISVSVN = qeISVSVN
        self.rootKey = keys.root
        self.platformCAKey = keys.platformCA
        self.pckKey = keys.pck
        self.tcbSigningKey = keys.tcbSigning
        self.attestationKey = keys.attestation
        self.qeReport = qeReport
        self.qeReportSignature = qeReportSignature
    }

    /// The private keys, base64 raw scalars (for ``exported()``).
    var exportedKeys: [String: String] {
        [
            "root": self.rootKey, "platformCA": self.platformCAKey, "pck": self.pckKey, "tcbSigning": self.tcbSigningKey,
            "attestation": self.attestationKey,
        ].mapValues { Data($0.rawRepresentation).base64EncodedString() }
    }

    /// The signed QE report (for ``exported()``).
    var exportedQEReport: (report: [UInt8], signature: [UInt8]) { (self.qeReport, self.qeReportSignature) }

    public var rootDER: [UInt8] {
        get throws { try TrustAnchor.der(self.rootCertificate) }
    }

    /// The root certificate as PEM.
    public var rootPEM: String {
        get throws { try self.rootCertificate.serializeAsPEM().pemString }
    }

    /// A quote in the exact TDX binary format, signed by this authority's attestation key, with a
    /// QE report signed by its PCK key and the PCK chain embedded.
    public func quote(_ request: SimulatedQuoteRequest) throws -> [UInt8] {
        func fixed(_ bytes: [UInt8], _ count: Int, _ field: String) throws -> [UInt8] {
            guard bytes.count == count else { throw SimulationError("\(field) must be \(count) bytes, not \(bytes.count)") }
            return bytes
        }
        guard request.version == 4 || request.version == 5 else { throw SimulationError("quote version must be 4 or 5") }
        guard request.rtmr.count == 4 else { throw SimulationError("four RTMRs are needed") }
        var signed: [UInt8] = []
        signed.appendLittleEndian(request.version)
        signed.appendLittleEndian(QuoteHeader.ecdsaP256KeyType)
        signed.appendLittleEndian(QuoteHeader.tdxTEEType)
        signed.appendLittleEndian(UInt32(0))
        signed += QuoteHeader.intelQEVendorID
        signed += Array(self.platform.ppid) + [0, 0, 0, 0]
        let kind: TDReportBody.Kind = request.version == 5 ? .tdx15 : .tdx10
        if request.version == 5 {
            signed.appendLittleEndian(kind.rawValue)
            signed.appendLittleEndian(UInt32(kind.size))
        }
        signed += try fixed(request.teeTCBSVN, 16, "TEE_TCB_SVN")
        signed += Array(SHA384.hash(data: Array("simulated TDX module".utf8)))
        signed += Array(repeating: 0, count: 48)  // MRSIGNERSEAM: Intel's module
        signed += Array(repeating: 0, count: 8)  // SEAMATTRIBUTES
        signed.appendLittleEndian(request.tdAttributes.rawValue)
        signed += [0xe7, 0x1a, 0x06, 0, 0, 0, 0, 0]  // XFAM
        signed += try fixed(request.mrTD, 48, "MRTD")
        signed += try fixed(request.mrConfigID, 48, "MRCONFIGID")
        signed += try fixed(request.mrOwner, 48, "MROWNER")
        signed += try fixed(request.mrOwnerConfig, 48, "MROWNERCONFIG")
        for (index, rtmr) in request.rtmr.enumerated() { signed += try fixed(rtmr, 48, "RTMR\(index)") }
        signed += try fixed(request.reportData, 64, "REPORTDATA")
        if kind == .tdx15 {
            signed += request.teeTCBSVN
            signed += Array(repeating: 0, count: 48)  // MRSERVICETD
        }

        let chain = try [self.pckCertificate, self.platformCACertificate, self.rootCertificate]
            .map { try $0.serializeAsPEM().pemString + "\n" }.joined()
        let authData = Self.qeAuthData
        var certification: [UInt8] = self.qeReport
        certification += self.qeReportSignature
        certification.appendLittleEndian(UInt16(authData.count))
        certification += authData
        certification.appendLittleEndian(QuoteSignatureData.pckCertificateChainType)
        certification.appendLittleEndian(UInt32(chain.utf8.count))
        certification += Array(chain.utf8)

        var signatureData: [UInt8] = Array(try self.attestationKey.signature(for: signed).rawRepresentation)
        signatureData += Array(self.attestationKey.publicKey.rawRepresentation)
        signatureData.appendLittleEndian(QuoteSignatureData.qeReportCertificationDataType)
        signatureData.appendLittleEndian(UInt32(certification.count))
        signatureData += certification

        var quote = signed
        quote.appendLittleEndian(UInt32(signatureData.count))
        return quote + signatureData
    }

    /// Collateral for this platform in the PCS form, signed by this authority.
    /// - Parameters:
    ///   - issued: the issue date of TCB Info, QE Identity and the CRLs.
    ///   - validFor: how long they stay current.
    ///   - platformStatus: the status of the TCB level this platform matches.
    ///   - teeTCBSVN: the TD's TEE_TCB_SVN, so the levels fit it.
    ///   - revokePCK: list the PCK leaf on the PCK CRL.
    public func collateral(
        issued: Date,
        validFor: TimeInterval = 30 * 86_400,
        platformStatus: TCBStatus = .upToDate,
        teeTCBSVN: [UInt8] = SimulatedQuoteRequest().teeTCBSVN,
        revokePCK: Bool = false
    ) throws -> CollateralBundle {
        let next = issued.addingTimeInterval(validFor)
        let tcbInfo = self.tcbInfo(
            issued: issued,
            next: next,
            levels: self.tcbLevels(issued: issued, platformStatus: platformStatus, teeTCBSVN: teeTCBSVN),
            teeTCBSVN: teeTCBSVN
        )
        let qeIdentity = self.qeIdentity(issued: issued, next: next)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let tcbInfoText = String(decoding: try encoder.encode(tcbInfo), as: UTF8.self)
        let qeIdentityText = String(decoding: try encoder.encode(qeIdentity), as: UTF8.self)
        let signingChain = try [self.tcbSigningCertificate, self.rootCertificate].map { try $0.serializeAsPEM().pemString + "\n" }.joined()
        let pckIssuerChain = try [self.platformCACertificate, self.rootCertificate].map { try $0.serializeAsPEM().pemString + "\n" }.joined()
        return CollateralBundle(
            pckCRLIssuerChain: pckIssuerChain,
            rootCACRL: try CertificateRevocationList.issue(
                issuer: self.rootCertificate.subject,
                key: self.rootKey,
                thisUpdate: issued,
                nextUpdate: next.addingTimeInterval(1)
            ),
            pckCRL: try CertificateRevocationList.issue(
                issuer: self.platformCACertificate.subject,
                key: self.platformCAKey,
                thisUpdate: issued,
                nextUpdate: next.addingTimeInterval(1),
                revoking: revokePCK ? [self.pckCertificate.serialNumber] : []
            ),
            tcbInfoIssuerChain: signingChain,
            tcbInfo: tcbInfoText,
            tcbInfoSignature: Array(try self.tcbSigningKey.signature(for: Array(tcbInfoText.utf8)).rawRepresentation),
            qeIdentityIssuerChain: signingChain,
            qeIdentity: qeIdentityText,
            qeIdentitySignature: Array(try self.tcbSigningKey.signature(for: Array(qeIdentityText.utf8)).rawRepresentation)
        )
    }

    /// The TCB levels, newest first: (when not up to date) a newer level this platform misses,
    /// the platform's own level with `platformStatus`, and the all-zero out-of-date floor.
    private func tcbLevels(issued: Date, platformStatus: TCBStatus, teeTCBSVN: [UInt8]) -> [TCBInfo.Level] {
        func components(_ svns: [UInt8]) -> [TCBInfo.Component] { svns.map { TCBInfo.Component(svn: Int($0)) } }
        let advisories = platformStatus == .upToDate ? nil : ["INTEL-SA-00837", "INTEL-SA-01036"]
        var levels: [TCBInfo.Level] = []
        if platformStatus != .upToDate {
            // A newer level this platform does not reach.
            levels.append(
                .init(
                    tcb: .init(
                        sgxtcbcomponents: components(self.platform.sgxTCBComponents.map { $0 &+ 1 }),
                        pcesvn: self.platform.pceSVN + 1,
                        tdxtcbcomponents: components(teeTCBSVN)
                    ),
                    tcbDate: CivilTime.formatRFC3339(issued.addingTimeInterval(-86_400)),
                    tcbStatus: .upToDate,
                    advisoryIDs: nil
                )
            )
        }
        levels.append(
            .init(
                tcb: .init(
                    sgxtcbcomponents: components(self.platform.sgxTCBComponents),
                    pcesvn: self.platform.pceSVN,
                    tdxtcbcomponents: components(teeTCBSVN)
                ),
                tcbDate: CivilTime.formatRFC3339(issued.addingTimeInterval(-30 * 86_400)),
                tcbStatus: platformStatus,
                advisoryIDs: advisories
            )
        )
        levels.append(
            .init(
                tcb: .init(
                    sgxtcbcomponents: components(Array(repeating: 0, count: 16)),
                    pcesvn: 0,
                    tdxtcbcomponents: components(Array(repeating: 0, count: 16))
                ),
                tcbDate: "2018-01-04T00:00:00Z",
                tcbStatus: .outOfDate,
                advisoryIDs: ["INTEL-SA-00106"]
            )
        )
        return levels
    }

    /// TCB Info for this platform's FMSPC and the TD's module, with `levels`.
    private func tcbInfo(issued: Date, next: Date, levels: [TCBInfo.Level], teeTCBSVN: [UInt8]) -> TCBInfo {
        let zeroSigner = String(repeating: "0", count: 96)
        let moduleID = "TDX_" + Hex.encode([teeTCBSVN[1]]).uppercased()
        return TCBInfo(
            id: "TDX",
            version: 3,
            issueDate: CivilTime.formatRFC3339(issued),
            nextUpdate: CivilTime.formatRFC3339(next),
            fmspc: Hex.encode(self.platform.fmspc).uppercased(),
            pceId: Hex.encode(self.platform.pceID).uppercased(),
            tcbType: 0,
            tcbEvaluationDataNumber: 17,
            tdxModule: .init(mrsigner: zeroSigner, attributes: "0000000000000000", attributesMask: "FFFFFFFFFFFFFFFF"),
            tdxModuleIdentities: [
                .init(
                    id: moduleID,
                    mrsigner: zeroSigner,
                    attributes: "0000000000000000",
                    attributesMask: "FFFFFFFFFFFFFFFF",
                    tcbLevels: [
                        .init(tcb: .init(isvsvn: Int(teeTCBSVN[0])), tcbDate: CivilTime.formatRFC3339(issued), tcbStatus: .upToDate, advisoryIDs: nil)
                    ]
                )
            ],
            tcbLevels: levels
        )
    }

    /// The TD Quoting Enclave's identity, at this authority's QE ISVSVN.
    private func qeIdentity(issued: Date, next: Date) -> QEIdentity {
        QEIdentity(
            id: "TD_QE",
            version: 2,
            issueDate: CivilTime.formatRFC3339(issued),
            nextUpdate: CivilTime.formatRFC3339(next),
            tcbEvaluationDataNumber: 17,
            miscselect: "00000000",
            miscselectMask: "FFFFFFFF",
            attributes: "11000000000000000000000000000000",
            attributesMask: "FBFFFFFFFFFFFFFF0000000000000000",
            mrsigner: Hex.encode(ExpectedQEIdentity.intelTDQE.mrSigner).uppercased(),
            isvprodid: Int(ExpectedQEIdentity.intelTDQE.isvProdID),
            tcbLevels: [
                .init(tcb: .init(isvsvn: Int(self.qeISVSVN)), tcbDate: CivilTime.formatRFC3339(issued), tcbStatus: .upToDate, advisoryIDs: nil)
            ]
        )
    }

    /// The TD QE's SGX report body: the Intel TD QE's identity at `qeISVSVN`, its report data
    /// binding the attestation key and the QE authentication data.
    private static func qeReport(cpuSVN: [UInt8], qeISVSVN: UInt16, attestationPublic: [UInt8]) -> [UInt8] {
        let authData = Self.qeAuthData
        var qeReport: [UInt8] = []
        qeReport += cpuSVN
        qeReport.appendLittleEndian(UInt32(0))  // MISCSELECT
        qeReport += Array(repeating: 0, count: 28)
        qeReport += [0x11] + Array(repeating: 0, count: 15)  // ATTRIBUTES: INIT, MODE64BIT
        qeReport += Array(SHA256.hash(data: Array("simulated TD QE".utf8)))  // MRENCLAVE
        qeReport += Array(repeating: 0, count: 32)
        qeReport += ExpectedQEIdentity.intelTDQE.mrSigner
        qeReport += Array(repeating: 0, count: 96)
        qeReport.appendLittleEndian(ExpectedQEIdentity.intelTDQE.isvProdID)
        qeReport.appendLittleEndian(qeISVSVN)
        qeReport += Array(repeating: 0, count: 60)
        qeReport += Array(SHA256.hash(data: attestationPublic + authData)) + Array(repeating: 0, count: 32)
        return qeReport
    }

    private static func name(_ commonName: String) throws -> DistinguishedName {
        try DistinguishedName {
            CommonName(commonName)
            OrganizationName("DevOps Defender (simulated TDX, not Intel)")
            LocalityName("Santa Clara")
            StateOrProvinceName("CA")
            CountryName("US")
        }
    }

    private static func issue(
        subject: DistinguishedName,
        key: P256.Signing.PublicKey,
        issuer: DistinguishedName,
        issuerKey: P256.Signing.PrivateKey,
        validity: (Date, Date),
        authority: BasicConstraints,
        sgx: [UInt8]? = nil
    ) throws -> Certificate {
        let publicKey = Certificate.PublicKey(key)
        let isCA = authority != .notCertificateAuthority
        var extensions = try Certificate.Extensions {
            Critical(authority)
            Critical(isCA ? KeyUsage(keyCertSign: true, cRLSign: true) : KeyUsage(digitalSignature: true, nonRepudiation: true))
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: Certificate.PublicKey(issuerKey.publicKey)).keyIdentifier)
        }
        if let sgx {
            try extensions.append(Certificate.Extension(oid: SGXExtension.oid, critical: false, value: sgx[...]))
        }
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: validity.0,
            notValidAfter: validity.1,
            issuer: issuer,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(issuerKey)
        )
    }
}

/// A simulated quote or collateral could not be made from the request.
public struct SimulationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong with the request.
    public var message: String
    init(_ message: String) { self.message = message }
    public var description: String { self.message }
}

extension [UInt8] {
    mutating func appendLittleEndian<Integer: FixedWidthInteger>(_ value: Integer) {
        Swift.withUnsafeBytes(of: value.littleEndian) { self.append(contentsOf: $0) }
    }
}
