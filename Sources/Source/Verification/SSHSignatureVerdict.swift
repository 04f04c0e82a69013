/// What checking one SSH signature concluded. Every outcome but ``good(principals:fingerprint:)``
/// means "do not trust this content"; the cases say why, so an operator can fix it.
public enum SSHSignatureVerdict: Hashable, Sendable, CustomStringConvertible {
    /// A valid signature in the expected namespace by a key the allowed signers permit.
    /// `principals` is the principals field of the first permitting line, as written;
    /// `fingerprint` the key's `SHA256:…` fingerprint.
    case good(principals: String, fingerprint: String)
    /// No signature at all.
    case unsigned
    /// A valid signature by a key no `allowed_signers` line lists.
    case unknownSigner(fingerprint: String)
    /// A valid signature by a listed key whose every line excludes it: `reason` says which
    /// namespace or time window did (OpenSSH treats this as "no principal matched").
    case signerNotAllowed(fingerprint: String, reason: String)
    /// The signature does not verify: the content or the signature was altered, or it was
    /// made by another key than the one it names.
    case badSignature
    /// A signature made for another purpose (`ssh-keygen -Y sign -n file`): `found` is its
    /// namespace.
    case wrongNamespace(found: String)
    /// A key or signature type this verifier does not check (RSA, FIDO `sk-…`, certificates,
    /// or `openpgp`/`x509` for non-SSH signatures).
    case unsupportedKey(type: String)
    /// Not a well-formed SSHSIG signature.
    case malformed(reason: String)

    /// True only for ``good(principals:fingerprint:)``.
    public var isGood: Bool {
        if case .good = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .good(let principals, let fingerprint): "good signature by \(principals) (\(fingerprint))"
        case .unsigned: "not signed; sign commits with gpg.format=ssh and commit -S"
        case .unknownSigner(let fingerprint): "signed by \(fingerprint), which allowed_signers does not list"
        case .signerNotAllowed(let fingerprint, let reason): "signed by \(fingerprint), but \(reason)"
        case .badSignature: "the signature does not match the content (altered content or forged signature)"
        case .wrongNamespace(let found): "signed for namespace \"\(found)\", not for this purpose"
        case .unsupportedKey(let type): "signed with \(type), which is not supported; use ssh-ed25519 or ecdsa-sha2-nistp256"
        case .malformed(let reason): "malformed signature: \(reason)"
        }
    }
}
