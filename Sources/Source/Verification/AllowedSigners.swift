/// A parsed OpenSSH `allowed_signers` file: the keys trusted to sign commits.
///
/// Parsing is stricter than OpenSSH in three ways, each reported with its line, column and fix:
/// any bad line refuses the whole file (OpenSSH skips or stops at it depending on where the
/// signer's line is); `cert-authority` lines are refused (certificate signatures are not
/// supported, so such a line could never match); and `valid-after`/`valid-before` must end in
/// `Z` (OpenSSH reads a time without `Z` in the machine's local zone, which a pure parser
/// cannot know).
public struct AllowedSigners: Hashable, Sendable {
    /// The key lines, in file order.
    public var entries: [AllowedSigner]

    /// Creates a set from entries already built.
    public init(entries: [AllowedSigner]) {
        self.entries = entries
    }

    /// Parses the file's text. Blank lines and lines starting with `#` (after leading blanks)
    /// are skipped; lines may end in LF or CRLF.
    public init(parsing text: String) throws(AllowedSignersError) {
        var entries: [AllowedSigner] = []
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, line) in lines.enumerated() {
            var parser = AllowedSignersLineParser(line, number: index + 1)
            if let entry = try parser.parse() { entries.append(entry) }
        }
        self.entries = entries
    }

    /// The entries listing `key`, in file order.
    public func entries(for key: SSHPublicKey) -> [AllowedSigner] {
        self.entries.filter { $0.key == key }
    }
}
