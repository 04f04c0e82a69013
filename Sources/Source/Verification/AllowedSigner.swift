/// One key line of an OpenSSH `allowed_signers` file (`ssh-keygen(1)`, ALLOWED SIGNERS):
/// who may sign, with which key, for which namespaces and when.
public struct AllowedSigner: Hashable, Sendable {
    /// The principals field as written (`alice@example.com,*@ops.example.com`): what a good
    /// verdict reports, since a commit carries no identity to choose one of them.
    public var principals: PatternList
    /// The signer's key.
    public var key: SSHPublicKey
    /// The `namespaces="…"` option; nil when absent, which allows every namespace.
    public var namespaces: PatternList?
    /// The `valid-after` option in seconds since 1970 (UTC); nil when absent.
    public var validAfter: Int64?
    /// The `valid-before` option in seconds since 1970 (UTC); nil when absent.
    public var validBefore: Int64?
    /// The text after the key, trimmed; empty when there is none.
    public var comment: String
    /// The 1-based line of the file this entry came from, for messages.
    public var line: Int

    /// Creates an entry.
    public init(
        principals: PatternList,
        key: SSHPublicKey,
        namespaces: PatternList? = nil,
        validAfter: Int64? = nil,
        validBefore: Int64? = nil,
        comment: String = "",
        line: Int = 0
    ) {
        self.principals = principals
        self.key = key
        self.namespaces = namespaces
        self.validAfter = validAfter
        self.validBefore = validBefore
        self.comment = comment
        self.line = line
    }

    /// True when the entry permits signatures in `namespace` (always, without a
    /// `namespaces` option).
    public func allows(namespace: String) -> Bool {
        self.namespaces?.matches(namespace) ?? true
    }

    /// True when `time` (seconds since 1970) is within `valid-after` … `valid-before`, both
    /// ends included, as OpenSSH checks them.
    public func isValid(at time: Int64) -> Bool {
        if let after = self.validAfter, time < after { return false }
        if let before = self.validBefore, time > before { return false }
        return true
    }
}
