#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A parsed SSHSIG signature (OpenSSH `PROTOCOL.sshsig`): what `ssh-keygen -Y sign` writes and
/// git stores in a commit's `gpgsig` header for `gpg.format=ssh`.
///
/// Parsing checks structure only (magic, version 1, known hash, no trailing bytes, an empty
/// reserved field); ``SSHSignatureVerifier`` checks the cryptography and the allowed signers.
public struct SSHSignature: Hashable, Sendable {
    /// The message digest SSHSIG signs over (`hash_algorithm`).
    public enum HashAlgorithm: String, Hashable, Sendable {
        /// SHA-256.
        case sha256
        /// SHA-512 (what `ssh-keygen` and git use unless told otherwise).
        case sha512
    }

    /// The signer's public key, as embedded in the signature.
    public var publicKey: SSHPublicKey
    /// The namespace the signer chose (`git` for commits, `file` by default elsewhere).
    public var namespace: String
    /// How the message was hashed before signing.
    public var hashAlgorithm: HashAlgorithm
    /// The signature's own type name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …).
    public var signatureType: String
    /// The signature bytes after the type name (for ECDSA: `mpint r ‖ mpint s`).
    public var signatureBytes: [UInt8]

    static let armorBegin = "-----BEGIN SSH SIGNATURE-----"
    static let armorEnd = "-----END SSH SIGNATURE-----"
    static let magic = Array("SSHSIG".utf8)

    /// Parses the armored block (`-----BEGIN SSH SIGNATURE-----` … `-----END SSH SIGNATURE-----`).
    /// Lines may end in LF or CRLF; text after the end line is ignored, as OpenSSH ignores it.
    public init(armored text: String) throws(SSHSignatureError) {
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })[...]
        while lines.first?.isEmpty == true { lines = lines.dropFirst() }
        guard lines.first == Substring(Self.armorBegin) else {
            throw SSHSignatureError(.notArmored, "the signature does not start with \(Self.armorBegin)")
        }
        guard let end = lines.firstIndex(of: Substring(Self.armorEnd)) else {
            throw SSHSignatureError(.notArmored, "the signature has no \(Self.armorEnd) line")
        }
        let body = lines[lines.index(after: lines.startIndex)..<end].joined()
        guard let data = Data(base64Encoded: body) else {
            throw SSHSignatureError(.malformed, "the armored body is not valid base64")
        }
        try self.init(blob: Array(data))
    }

    /// Parses the binary SSHSIG blob (the armored body, base64-decoded).
    public init(blob: [UInt8]) throws(SSHSignatureError) {
        var reader = SSHWireReader(blob)
        guard reader.readBytes(Self.magic.count) == Self.magic else {
            throw SSHSignatureError(.malformed, "the blob does not start with \"SSHSIG\"")
        }
        guard let version = reader.readUInt32(), version == 1 else {
            throw SSHSignatureError(.malformed, "only SSHSIG version 1 exists")
        }
        guard let keyBlob = reader.readString() else { throw SSHSignatureError(.malformed, "the public key is cut short") }
        do {
            self.publicKey = try SSHPublicKey(blob: keyBlob)
        } catch {
            throw SSHSignatureError(.malformed, "the embedded public key is malformed: \(error.message)")
        }
        guard let namespace = reader.readText(), let reserved = reader.readString(), let hashName = reader.readText(),
            let signature = reader.readString()
        else { throw SSHSignatureError(.malformed, "the signature is cut short") }
        guard reader.isAtEnd else { throw SSHSignatureError(.malformed, "the signature has trailing bytes") }
        guard reserved.isEmpty else {
            throw SSHSignatureError(.malformed, "the reserved field is not empty (PROTOCOL.sshsig reserves it; nothing fills it)")
        }
        guard let hashAlgorithm = HashAlgorithm(rawValue: hashName) else {
            throw SSHSignatureError(.malformed, "hash algorithm \"\(hashName)\" is neither sha256 nor sha512")
        }
        var inner = SSHWireReader(signature)
        guard let signatureType = inner.readText(), let signatureBytes = inner.readString(), inner.isAtEnd else {
            throw SSHSignatureError(.malformed, "the inner signature is not a type name and one string")
        }
        self.namespace = namespace
        self.hashAlgorithm = hashAlgorithm
        self.signatureType = signatureType
        self.signatureBytes = signatureBytes
    }
}
