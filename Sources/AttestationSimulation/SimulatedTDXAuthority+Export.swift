import Attestation
import Crypto
import Foundation
import SwiftASN1
import X509

extension SimulatedTDXAuthority {
    /// The authority as JSON (keys, certificates, the signed QE report), so that separate
    /// processes of a local fleet — the control plane and every agent — quote with one
    /// hierarchy that a verifier trusts through one root. It holds private keys: keep the file
    /// private (mode 0600); it is for local fleets and tests only.
    public func exported() throws -> Data {
        func der(_ certificate: Certificate) throws -> String {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return Data(serializer.serializedBytes).base64EncodedString()
        }
        let object: [String: Any] = [
            "format": "devopsdefender-simulated-tdx-authority/v1",
            "rootCertificate": try der(self.rootCertificate),
            "platformCACertificate": try der(self.platformCACertificate),
            "pckCertificate": try der(self.pckCertificate),
            "tcbSigningCertificate": try der(self.tcbSigningCertificate),
            "platform": Data(try self.platform.derEncoded()).base64EncodedString(),
            "qeISVSVN": Int(self.qeISVSVN),
            "keys": self.exportedKeys,
            "qeReport": Data(self.exportedQEReport.report).base64EncodedString(),
            "qeReportSignature": Data(self.exportedQEReport.signature).base64EncodedString(),
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }

    /// An authority read back from ``exported()``.
    public init(exported data: Data) throws {
        struct Malformed: Error, CustomStringConvertible {
            var description: String
        }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["format"] as? String == "devopsdefender-simulated-tdx-authority/v1"
        else { throw Malformed(description: "not a simulated TDX authority file (format devopsdefender-simulated-tdx-authority/v1)") }
        func bytes(_ key: String, in object: [String: Any]) throws -> [UInt8] {
            guard let text = object[key] as? String, let data = Data(base64Encoded: text) else {
                throw Malformed(description: "the authority file has no valid \(key)")
            }
            return [UInt8](data)
        }
        func certificate(_ key: String) throws -> Certificate { try Certificate(derEncoded: try bytes(key, in: object)) }
        guard let keys = object["keys"] as? [String: Any], let svn = object["qeISVSVN"] as? Int else {
            throw Malformed(description: "the authority file has no keys")
        }
        func key(_ name: String) throws -> P256.Signing.PrivateKey { try P256.Signing.PrivateKey(rawRepresentation: try bytes(name, in: keys)) }
        try self.init(
            rootCertificate: try certificate("rootCertificate"),
            platformCACertificate: try certificate("platformCACertificate"),
            pckCertificate: try certificate("pckCertificate"),
            tcbSigningCertificate: try certificate("tcbSigningCertificate"),
            platform: try SGXExtension(derEncoded: try bytes("platform", in: object)[...]),
            qeISVSVN: UInt16(svn),
            keys: (try key("root"), try key("platformCA"), try key("pck"), try key("tcbSigning"), try key("attestation")),
            qeReport: try bytes("qeReport", in: object),
            qeReportSignature: try bytes("qeReportSignature", in: object)
        )
    }
}
