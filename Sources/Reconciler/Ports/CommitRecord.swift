/// One commit as a signature check sees it.
public struct CommitRecord: Hashable, Sendable {
    /// The commit's id.
    public var revision: Revision
    /// The commit object's bytes without its signature header (what the signer signed); empty
    /// when the commit carries no signature.
    public var signedPayload: [UInt8]
    /// The armored signature from the commit's `gpgsig` header (for SSH signatures, the
    /// `-----BEGIN SSH SIGNATURE-----` block); nil when the commit is not signed.
    public var signature: String?

    /// Creates a record.
    public init(revision: Revision, signedPayload: [UInt8], signature: String?) {
        self.revision = revision
        self.signedPayload = signedPayload
        self.signature = signature
    }
}
