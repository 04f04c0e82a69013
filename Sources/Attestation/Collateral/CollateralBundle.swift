import Encoding
import Foundation

/// The collateral a verifier needs to judge a platform's TCB, in the JSON form of dcap-qvl's
/// `QuoteCollateralV3` (the pieces Intel's PCS and a PCCS serve, gathered in one file):
///
/// ```json
/// { "tcb_info": "{\"id\":\"TDX\",…}", "tcb_info_signature": "<hex r‖s>",
///   "tcb_info_issuer_chain": "-----BEGIN CERTIFICATE-----…",
///   "qe_identity": "{\"id\":\"TD_QE\",…}", "qe_identity_signature": "<hex>",
///   "qe_identity_issuer_chain": "…", "pck_crl_issuer_chain": "…",
///   "root_ca_crl": "<hex DER>", "pck_crl": "<hex DER>" }
/// ```
///
/// `tcb_info` and `qe_identity` are the exact JSON texts Intel signed (the `tcbInfo` and
/// `enclaveIdentity` objects), kept as strings so their bytes survive; signatures are raw r‖s.
public struct CollateralBundle: Hashable, Sendable, Codable {
    /// The PCK CRL's issuer chain (PEM).
    public var pckCRLIssuerChain: String
    /// The root CA's CRL (DER).
    public var rootCACRL: [UInt8]
    /// The PCK CA's CRL (DER).
    public var pckCRL: [UInt8]
    /// The TCB Info signing chain (PEM): TCB signing certificate, root.
    public var tcbInfoIssuerChain: String
    /// The signed TCB Info JSON text.
    public var tcbInfo: String
    /// ECDSA-P256 r‖s over `tcbInfo`'s UTF-8 bytes.
    public var tcbInfoSignature: [UInt8]
    /// The QE Identity signing chain (PEM).
    public var qeIdentityIssuerChain: String
    /// The signed QE Identity JSON text.
    public var qeIdentity: String
    /// ECDSA-P256 r‖s over `qeIdentity`'s UTF-8 bytes.
    public var qeIdentitySignature: [UInt8]

    /// Creates a bundle.
    public init(
        pckCRLIssuerChain: String,
        rootCACRL: [UInt8],
        pckCRL: [UInt8],
        tcbInfoIssuerChain: String,
        tcbInfo: String,
        tcbInfoSignature: [UInt8],
        qeIdentityIssuerChain: String,
        qeIdentity: String,
        qeIdentitySignature: [UInt8]
    ) {
        self.pckCRLIssuerChain = pckCRLIssuerChain
        self.rootCACRL = rootCACRL
        self.pckCRL = pckCRL
        self.tcbInfoIssuerChain = tcbInfoIssuerChain
        self.tcbInfo = tcbInfo
        self.tcbInfoSignature = tcbInfoSignature
        self.qeIdentityIssuerChain = qeIdentityIssuerChain
        self.qeIdentity = qeIdentity
        self.qeIdentitySignature = qeIdentitySignature
    }

    private enum CodingKeys: String, CodingKey {
        case pckCRLIssuerChain = "pck_crl_issuer_chain"
        case rootCACRL = "root_ca_crl"
        case pckCRL = "pck_crl"
        case tcbInfoIssuerChain = "tcb_info_issuer_chain"
        case tcbInfo = "tcb_info"
        case tcbInfoSignature = "tcb_info_signature"
        case qeIdentityIssuerChain = "qe_identity_issuer_chain"
        case qeIdentity = "qe_identity"
        case qeIdentitySignature = "qe_identity_signature"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func hex(_ key: CodingKeys) throws -> [UInt8] {
            let text = try container.decode(String.self, forKey: key)
            guard let bytes = Hex.decode(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "\(key.rawValue) is not hex")
            }
            return bytes
        }
        self.pckCRLIssuerChain = try container.decode(String.self, forKey: .pckCRLIssuerChain)
        self.rootCACRL = try hex(.rootCACRL)
        self.pckCRL = try hex(.pckCRL)
        self.tcbInfoIssuerChain = try container.decode(String.self, forKey: .tcbInfoIssuerChain)
        self.tcbInfo = try container.decode(String.self, forKey: .tcbInfo)
        self.tcbInfoSignature = try hex(.tcbInfoSignature)
        self.qeIdentityIssuerChain = try container.decode(String.self, forKey: .qeIdentityIssuerChain)
        self.qeIdentity = try container.decode(String.self, forKey: .qeIdentity)
        self.qeIdentitySignature = try hex(.qeIdentitySignature)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.pckCRLIssuerChain, forKey: .pckCRLIssuerChain)
        try container.encode(Hex.encode(self.rootCACRL), forKey: .rootCACRL)
        try container.encode(Hex.encode(self.pckCRL), forKey: .pckCRL)
        try container.encode(self.tcbInfoIssuerChain, forKey: .tcbInfoIssuerChain)
        try container.encode(self.tcbInfo, forKey: .tcbInfo)
        try container.encode(Hex.encode(self.tcbInfoSignature), forKey: .tcbInfoSignature)
        try container.encode(self.qeIdentityIssuerChain, forKey: .qeIdentityIssuerChain)
        try container.encode(self.qeIdentity, forKey: .qeIdentity)
        try container.encode(Hex.encode(self.qeIdentitySignature), forKey: .qeIdentitySignature)
    }

    /// Reads a bundle from its JSON file contents.
    /// - Throws: a message naming the missing or malformed field.
    public static func decode(json: Data) throws -> CollateralBundle {
        try JSONDecoder().decode(CollateralBundle.self, from: json)
    }

    /// The bundle as pretty-printed JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Every byte the bundle holds, for cache keys.
    var contentDigestInput: [UInt8] {
        var bytes: [UInt8] = []
        for part in [self.pckCRLIssuerChain, self.tcbInfoIssuerChain, self.tcbInfo, self.qeIdentityIssuerChain, self.qeIdentity] {
            bytes += Array(part.utf8) + [0]
        }
        for part in [self.rootCACRL, self.pckCRL, self.tcbInfoSignature, self.qeIdentitySignature] {
            bytes += part + [0]
        }
        return bytes
    }
}
