import SwiftASN1

/// The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's
/// identity and the TCB level the certificate was issued for.
///
/// The extension is a SEQUENCE of (OID, value) pairs; the TCB entry is itself such a sequence of
/// 16 component SVNs, the PCESVN and the CPUSVN.
public struct SGXExtension: Hashable, Sendable {
    /// The platform provisioning id (16 bytes).
    public var ppid: [UInt8]
    /// The 16 SGX TCB component SVNs.
    public var sgxTCBComponents: [UInt8]
    /// The PCE security version.
    public var pceSVN: Int
    /// The CPU security version (16 bytes).
    public var cpuSVN: [UInt8]
    /// The PCE id (2 bytes).
    public var pceID: [UInt8]
    /// The FMSPC: family, model, stepping, platform type, custom SKU (6 bytes).
    public var fmspc: [UInt8]
    /// The SGX type (0 standard, 1 scalable, 2 scalable with integrity).
    public var sgxType: Int

    /// The extension's OID.
    public static let oid: ASN1ObjectIdentifier = [1, 2, 840, 113_741, 1, 13, 1]

    /// Creates an extension value.
    public init(ppid: [UInt8], sgxTCBComponents: [UInt8], pceSVN: Int, cpuSVN: [UInt8], pceID: [UInt8], fmspc: [UInt8], sgxType: Int) {
        self.ppid = ppid
        self.sgxTCBComponents = sgxTCBComponents
        self.pceSVN = pceSVN
        self.cpuSVN = cpuSVN
        self.pceID = pceID
        self.fmspc = fmspc
        self.sgxType = sgxType
    }

    /// Parses the extension's DER value.
    /// - Throws: when the DER is malformed or a required entry is missing or mis-sized.
    public init(derEncoded value: ArraySlice<UInt8>) throws {
        let root = try DER.parse(value)
        var ppid: [UInt8]?
        var components: [UInt8] = Array(repeating: 0, count: 16)
        var seenComponents = 0
        var pceSVN: Int?
        var cpuSVN: [UInt8]?
        var pceID: [UInt8]?
        var fmspc: [UInt8]?
        var sgxType = 0
        for (oid, node) in try Self.pairs(root) {
            switch oid {
            case Self.entry(1): ppid = try Self.octets(node, count: 16)
            case Self.entry(2):
                for (tcbOID, tcbNode) in try Self.pairs(node) {
                    let arcs = Array(tcbOID.oidComponents)
                    guard arcs.count == Self.oid.oidComponents.count + 2, let last = arcs.last else { continue }
                    switch last {
                    case 1...16:
                        components[Int(last) - 1] = UInt8(clamping: try Int(derEncoded: tcbNode))
                        seenComponents += 1
                    case 17: pceSVN = try Int(derEncoded: tcbNode)
                    case 18: cpuSVN = try Self.octets(tcbNode, count: 16)
                    default: break
                    }
                }
            case Self.entry(3): pceID = try Self.octets(node, count: 2)
            case Self.entry(4): fmspc = try Self.octets(node, count: 6)
            case Self.entry(5): sgxType = try Int(derEncoded: node, withIdentifier: .enumerated)
            default: break
            }
        }
        guard let ppid, seenComponents == 16, let pceSVN, let cpuSVN, let pceID, let fmspc else {
            throw ASN1Error.invalidASN1Object(reason: "SGX extension lacks PPID, TCB, PCE-ID or FMSPC")
        }
        self.init(ppid: ppid, sgxTCBComponents: components, pceSVN: pceSVN, cpuSVN: cpuSVN, pceID: pceID, fmspc: fmspc, sgxType: sgxType)
    }

    /// The extension's DER value, as Intel's PCK certificates encode it.
    public func derEncoded() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { outer in
            try Self.appendPair(&outer, Self.entry(1)) { try $0.serialize(ASN1OctetString(contentBytes: self.ppid[...])) }
            try Self.appendPair(&outer, Self.entry(2)) { tcb in
                try tcb.appendConstructedNode(identifier: .sequence) { list in
                    for (index, svn) in self.sgxTCBComponents.enumerated() {
                        try Self.appendPair(&list, Self.entry(2, UInt(index + 1))) { try $0.serialize(Int(svn)) }
                    }
                    try Self.appendPair(&list, Self.entry(2, 17)) { try $0.serialize(self.pceSVN) }
                    try Self.appendPair(&list, Self.entry(2, 18)) { try $0.serialize(ASN1OctetString(contentBytes: self.cpuSVN[...])) }
                }
            }
            try Self.appendPair(&outer, Self.entry(3)) { try $0.serialize(ASN1OctetString(contentBytes: self.pceID[...])) }
            try Self.appendPair(&outer, Self.entry(4)) { try $0.serialize(ASN1OctetString(contentBytes: self.fmspc[...])) }
            try Self.appendPair(&outer, Self.entry(5)) { try self.sgxType.serialize(into: &$0, withIdentifier: .enumerated) }
        }
        return serializer.serializedBytes
    }

    private static func entry(_ arcs: UInt...) -> ASN1ObjectIdentifier {
        // The arcs are constants under Intel's arc, so this cannot fail.
        (try? ASN1ObjectIdentifier(elements: Array(Self.oid.oidComponents) + arcs)) ?? Self.oid
    }

    private static func pairs(_ node: ASN1Node) throws -> [(ASN1ObjectIdentifier, ASN1Node)] {
        guard node.identifier == .sequence, case .constructed(let children) = node.content else {
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
        return try children.map { child in
            guard child.identifier == .sequence, case .constructed(let pair) = child.content else {
                throw ASN1Error.unexpectedFieldType(child.identifier)
            }
            var iterator = pair.makeIterator()
            guard let oidNode = iterator.next(), let valueNode = iterator.next() else {
                throw ASN1Error.invalidASN1Object(reason: "SGX extension entry is not an (OID, value) pair")
            }
            return (try ASN1ObjectIdentifier(derEncoded: oidNode), valueNode)
        }
    }

    private static func octets(_ node: ASN1Node, count: Int) throws -> [UInt8] {
        let bytes = Array(try ASN1OctetString(derEncoded: node).bytes)
        guard bytes.count == count else {
            throw ASN1Error.invalidASN1Object(reason: "expected \(count) bytes, found \(bytes.count)")
        }
        return bytes
    }

    private static func appendPair(
        _ serializer: inout DER.Serializer,
        _ oid: ASN1ObjectIdentifier,
        value: (inout DER.Serializer) throws -> Void
    ) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { pair in
            try pair.serialize(oid)
            try value(&pair)
        }
    }
}
