import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An SSH public key as OpenSSH encodes it: the key-type name and the wire-format blob that
/// `ssh-keygen` base64-encodes in `.pub` files and `allowed_signers` lines.
///
/// Any key type parses (so an `allowed_signers` file may list RSA or FIDO keys for other tools);
/// only ``Algorithm/ed25519`` and ``Algorithm/ecdsaP256`` can verify, see ``verifier``.
/// Equality compares the blob, which is how OpenSSH decides that two keys are the same key.
public struct SSHPublicKey: Hashable, Sendable, CustomStringConvertible {
    /// The key types this module verifies signatures with.
    public enum Algorithm: String, Hashable, Sendable {
        /// `ssh-ed25519`.
        case ed25519 = "ssh-ed25519"
        /// `ecdsa-sha2-nistp256` (ECDSA over P-256 with SHA-256).
        case ecdsaP256 = "ecdsa-sha2-nistp256"
    }

    /// The key-type name inside the blob (`ssh-ed25519`, `ssh-rsa`, …).
    public let typeName: String
    /// The whole wire-format blob: the bytes the fingerprint hashes.
    public let blob: [UInt8]
    /// The parsed key when its type is one this module verifies with; nil for other types.
    let verifier: Verifier?

    /// A key this module can check signatures with.
    enum Verifier: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case ecdsaP256(P256.Signing.PublicKey)
    }

    /// Parses a wire-format blob. Throws ``SSHKeyError`` when the blob is cut short, has
    /// trailing bytes, or holds an Ed25519/P-256 key that is not a valid point; other key types
    /// are accepted as opaque names.
    public init(blob: [UInt8]) throws(SSHKeyError) {
        var reader = SSHWireReader(blob)
        guard let typeName = reader.readText(), !typeName.isEmpty else {
            throw SSHKeyError(.malformed, "the key blob does not start with a key-type name")
        }
        self.typeName = typeName
        self.blob = blob
        switch Algorithm(rawValue: typeName) {
        case .ed25519:
            guard let raw = reader.readString(), raw.count == 32, reader.isAtEnd,
                let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
            else { throw SSHKeyError(.malformed, "an ssh-ed25519 key must hold exactly one 32-byte public key") }
            self.verifier = .ed25519(key)
        case .ecdsaP256:
            guard let curve = reader.readText(), curve == "nistp256", let point = reader.readString(), reader.isAtEnd,
                let key = try? P256.Signing.PublicKey(x963Representation: point)
            else { throw SSHKeyError(.malformed, "an ecdsa-sha2-nistp256 key must hold curve \"nistp256\" and one P-256 point") }
            self.verifier = .ecdsaP256(key)
        case nil:
            self.verifier = nil
        }
    }

    /// Parses the `TYPE BASE64` pair of a `.pub` file or `allowed_signers` line. Throws when the
    /// base64 is invalid, the blob is malformed, or the blob's own type differs from `typeName`.
    public init(typeName: String, base64: String) throws(SSHKeyError) {
        guard let data = Data(base64Encoded: base64) else {
            throw SSHKeyError(.malformed, "the key is not valid base64")
        }
        try self.init(blob: Array(data))
        guard self.typeName == typeName else {
            throw SSHKeyError(.typeMismatch, "the line says \(typeName) but the key's blob is \(self.typeName)")
        }
    }

    /// The algorithm, when this module can verify with the key.
    public var algorithm: Algorithm? { Algorithm(rawValue: self.typeName) }

    /// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256, as
    /// `ssh-keygen -l` and `git verify-commit` print it.
    public var fingerprint: String {
        let digest = Data(SHA256.hash(data: self.blob)).base64EncodedString()
        return "SHA256:" + digest.prefix(while: { $0 != "=" })
    }

    public var description: String { "\(self.typeName) \(self.fingerprint)" }

    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool { lhs.blob == rhs.blob }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.blob) }
}
