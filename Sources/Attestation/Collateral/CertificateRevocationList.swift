import Crypto
import Foundation
import SwiftASN1
import X509

/// An X.509 v2 certificate revocation list (RFC 5280 §5), as Intel's PCS serves them: DER,
/// ECDSA-P256 with SHA-256.
///
/// swift-certificates has no CRL type, so this reads the structure with SwiftASN1. The signature
/// is checked by ``isSigned(by:)``; nothing here is trusted until it is.
public struct CertificateRevocationList: Hashable, Sendable {
    /// The DER-encoded TBSCertList, the bytes the issuer signs.
    public var tbsBytes: ArraySlice<UInt8>
    /// The issuer's name.
    public var issuer: DistinguishedName
    /// When this CRL was issued.
    public var thisUpdate: Date
    /// When the next CRL is due; after it this one is stale.
    public var nextUpdate: Date
    /// Serial numbers of revoked certificates (the INTEGER content bytes).
    public var revokedSerials: Set<ArraySlice<UInt8>>
    /// The DER ECDSA signature.
    public var signature: ArraySlice<UInt8>

    /// Parses a DER CRL.
    /// - Throws: when the bytes are not a v2 CRL with a nextUpdate.
    public init(derEncoded bytes: [UInt8]) throws {
        let root = try DER.parse(bytes)
        let parsed = try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "CRL has no TBSCertList") }
            _ = try AlgorithmIdentifierNode(derEncoded: &nodes)
            let signature = try ASN1BitString(derEncoded: &nodes)
            return (tbs, signature.bytes)
        }
        self.tbsBytes = parsed.0.encodedBytes
        self.signature = parsed.1
        (self.issuer, self.thisUpdate, self.nextUpdate, self.revokedSerials) = try DER.sequence(parsed.0, identifier: .sequence) {
            nodes in
            let version = try Int(derEncoded: &nodes)
            guard version == 1 else { throw ASN1Error.invalidASN1Object(reason: "CRL version \(version + 1) is not 2") }
            _ = try AlgorithmIdentifierNode(derEncoded: &nodes)
            guard let issuerNode = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "CRL has no issuer") }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            guard let thisNode = nodes.next(), let nextNode = nodes.next() else {
                throw ASN1Error.invalidASN1Object(reason: "CRL lacks thisUpdate or nextUpdate")
            }
            var revoked: Set<ArraySlice<UInt8>> = []
            if let list = nodes.next(), list.identifier == .sequence, case .constructed(let entries) = list.content {
                for entry in entries {
                    guard case .constructed(let fields) = entry.content, let serial = fields.first(where: { _ in true }),
                        serial.identifier == .integer, case .primitive(let content) = serial.content
                    else { throw ASN1Error.invalidASN1Object(reason: "malformed revoked-certificate entry") }
                    revoked.insert(content)
                }
            }
            while nodes.next() != nil {}
            return (issuer, try Self.date(thisNode), try Self.date(nextNode), revoked)
        }
    }

    /// True when `issuerKey` signed this CRL.
    public func isSigned(by issuerKey: P256.Signing.PublicKey) -> Bool {
        guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: self.signature) else { return false }
        return issuerKey.isValidSignature(signature, for: self.tbsBytes)
    }

    /// True when the certificate with this serial number is listed.
    public func revokes(_ serial: Certificate.SerialNumber) -> Bool {
        self.revokedSerials.contains(serial.bytes)
    }

    /// Issues a CRL (for the simulated PKI): version 2, ECDSA-P256-SHA256, with a CRL number.
    public static func issue(
        issuer: DistinguishedName,
        key: P256.Signing.PrivateKey,
        thisUpdate: Date,
        nextUpdate: Date,
        revoking serials: [Certificate.SerialNumber] = []
    ) throws -> [UInt8] {
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { body in
            try body.serialize(1)
            try Self.appendECDSAWithSHA256(&body)
            try body.serialize(issuer)
            try body.serialize(try Self.utcTime(thisUpdate))
            try body.serialize(try Self.utcTime(nextUpdate))
            if !serials.isEmpty {
                try body.appendConstructedNode(identifier: .sequence) { list in
                    for serial in serials {
                        try list.appendConstructedNode(identifier: .sequence) { entry in
                            entry.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: serial.bytes) }
                            try entry.serialize(try Self.utcTime(thisUpdate))
                        }
                    }
                }
            }
            try body.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { extensions in
                try extensions.appendConstructedNode(identifier: .sequence) { list in
                    try list.appendConstructedNode(identifier: .sequence) { crlNumber in
                        try crlNumber.serialize(ASN1ObjectIdentifier("2.5.29.20"))
                        var number = DER.Serializer()
                        try number.serialize(1)
                        try crlNumber.serialize(ASN1OctetString(contentBytes: number.serializedBytes[...]))
                    }
                }
            }
        }
        let tbsBytes = tbs.serializedBytes
        let signature = try key.signature(for: tbsBytes).derRepresentation
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { list in
            list.serializeRawBytes(tbsBytes)
            try Self.appendECDSAWithSHA256(&list)
            try list.serialize(ASN1BitString(bytes: ArraySlice(signature)))
        }
        return crl.serializedBytes
    }

    private static func appendECDSAWithSHA256(_ serializer: inout DER.Serializer) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { algorithm in
            try algorithm.serialize(ASN1ObjectIdentifier("1.2.840.10045.4.3.2"))
        }
    }

    private static func date(_ node: ASN1Node) throws -> Date {
        if node.identifier == .utcTime {
            let time = try UTCTime(derEncoded: node)
            return CivilTime.date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
        }
        let time = try GeneralizedTime(derEncoded: node)
        return CivilTime.date(time.year, time.month, time.day, time.hours, time.minutes, time.seconds)
    }

    private static func utcTime(_ date: Date) throws -> UTCTime {
        let parts = CivilTime.components(date)
        return try UTCTime(year: parts.year, month: parts.month, day: parts.day, hours: parts.hour, minutes: parts.minute, seconds: parts.second)
    }
}

/// An AlgorithmIdentifier, read only to step over it.
private struct AlgorithmIdentifierNode: DERParseable {
    init(derEncoded node: ASN1Node) throws {
        guard node.identifier == .sequence else { throw ASN1Error.unexpectedFieldType(node.identifier) }
    }
}
