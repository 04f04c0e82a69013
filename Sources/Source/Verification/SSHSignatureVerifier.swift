import Crypto

/// Checks SSHSIG signatures (what `git verify-commit` checks for `gpg.format=ssh`) against an
/// `allowed_signers` file. Pure: the caller passes the message, the signature and the time.
///
/// The order of checks, which decides the verdict when several things are wrong: no signature
/// (``SSHSignatureVerdict/unsigned``), then structure (`malformed`), key type
/// (`unsupportedKey`), namespace (`wrongNamespace`), cryptography (`badSignature`), and only
/// then trust (`unknownSigner`, `signerNotAllowed`, `good`) — as `ssh-keygen -Y verify` does.
///
/// Trust: a commit carries no identity to match a principal against, so the signature is good
/// when *any* line listing its key allows the namespace at the given time; the verdict names
/// that line's principals. `git verify-commit` asks `ssh-keygen -Y find-principals` for the
/// principals of the *first* line listing the key (ignoring namespaces) and then verifies for
/// each of them, so the two differ only when the key's first line excludes the namespace and a
/// later line allows it: git refuses, this verifier accepts.
public struct SSHSignatureVerifier: Sendable {
    /// The keys trusted to sign.
    public var allowedSigners: AllowedSigners
    /// The namespace signatures must have been made for; `git` for commits and tags.
    public var namespace: String

    /// Creates a verifier.
    public init(allowedSigners: AllowedSigners, namespace: String = "git") {
        self.allowedSigners = allowedSigners
        self.namespace = namespace
    }

    /// Checks `armoredSignature` (nil or empty when unsigned) over `message`, with the
    /// `valid-after`/`valid-before` options evaluated at `time` (seconds since 1970).
    public func verify(message: [UInt8], armoredSignature: String?, at time: Int64) -> SSHSignatureVerdict {
        guard let armored = armoredSignature, !armored.isEmpty else { return .unsigned }
        if let foreign = Self.foreignSignatureType(armored) { return .unsupportedKey(type: foreign) }
        do {
            return self.verify(message: message, signature: try SSHSignature(armored: armored), at: time)
        } catch {
            return .malformed(reason: error.message)
        }
    }

    /// Checks a parsed signature over `message` at `time` (seconds since 1970).
    public func verify(message: [UInt8], signature: SSHSignature, at time: Int64) -> SSHSignatureVerdict {
        guard signature.publicKey.verifier != nil else { return .unsupportedKey(type: signature.publicKey.typeName) }
        guard signature.namespace == self.namespace else { return .wrongNamespace(found: signature.namespace) }
        guard signature.isValid(over: message) else { return .badSignature }
        return self.trust(signature.publicKey, at: time)
    }

    /// What the allowed signers say about a key that made a valid signature.
    private func trust(_ key: SSHPublicKey, at time: Int64) -> SSHSignatureVerdict {
        let entries = self.allowedSigners.entries(for: key)
        guard let first = entries.first else { return .unknownSigner(fingerprint: key.fingerprint) }
        if let permitting = entries.first(where: { $0.allows(namespace: self.namespace) && $0.isValid(at: time) }) {
            return .good(principals: permitting.principals.description, fingerprint: key.fingerprint)
        }
        return .signerNotAllowed(fingerprint: key.fingerprint, reason: self.exclusion(of: first, at: time))
    }

    /// Why `entry` excludes a signature now.
    private func exclusion(of entry: AllowedSigner, at time: Int64) -> String {
        if !entry.allows(namespace: self.namespace) {
            return "allowed_signers line \(entry.line) allows only namespaces \"\(entry.namespaces?.description ?? "")\", not \"\(self.namespace)\""
        }
        if let after = entry.validAfter, time < after {
            return "allowed_signers line \(entry.line) makes the key valid only from \(after) (seconds since 1970), after \(time)"
        }
        return "allowed_signers line \(entry.line) made the key valid only until \(entry.validBefore ?? 0) (seconds since 1970), before \(time)"
    }

    /// `openpgp` or `x509` for the other armors git stores in `gpgsig`; nil otherwise.
    private static func foreignSignatureType(_ armored: String) -> String? {
        let start = armored.drop(while: { $0.isWhitespace })
        if start.hasPrefix("-----BEGIN PGP SIGNATURE-----") { return "openpgp" }
        if start.hasPrefix("-----BEGIN SIGNED MESSAGE-----") { return "x509" }
        return nil
    }
}
