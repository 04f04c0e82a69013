public import Reconciler

/// Checks the SSH signatures of a run of commits (what the daemon fetched), stopping at the
/// first one that is not good.
public struct CommitSignatureVerifier: Sendable {
    /// The instant `valid-after`/`valid-before` are checked at.
    public enum ValidityTime: Hashable, Sendable {
        /// A fixed instant in seconds since 1970, normally the daemon's "now": a key whose
        /// `valid-before` has passed can no longer sign new commits, even back-dated ones.
        case fixed(Int64)
        /// Each commit's own committer timestamp, as `git verify-commit` does
        /// (`-Overify-time`). The signer chooses that date, so an expired key can still sign a
        /// commit dated inside its window; use only to reproduce git's answer.
        case committerDate
    }

    /// The signature check.
    public var verifier: SSHSignatureVerifier
    /// When keys must be valid.
    public var validityTime: ValidityTime

    /// Creates a verifier.
    public init(verifier: SSHSignatureVerifier, validityTime: ValidityTime) {
        self.verifier = verifier
        self.validityTime = validityTime
    }

    /// The verdict for one commit.
    public func verify(_ commit: CommitRecord) -> SSHSignatureVerdict {
        guard let signature = commit.signature, !signature.isEmpty else { return .unsigned }
        let time: Int64
        switch self.validityTime {
        case .fixed(let instant):
            time = instant
        case .committerDate:
            guard let committed = Self.committerTimestamp(in: commit.signedPayload) else {
                return .malformed(reason: "the commit object has no committer timestamp")
            }
            time = committed
        }
        return self.verifier.verify(message: commit.signedPayload, armoredSignature: signature, at: time)
    }

    /// Checks `commits` in order; the first whose verdict is not good fails the run.
    public func verify(_ commits: [CommitRecord]) -> CommitSignatureCheck {
        for commit in commits {
            let verdict = self.verify(commit)
            guard verdict.isGood else { return .failed(revision: commit.revision, verdict: verdict) }
        }
        return .verified(count: commits.count)
    }

    /// The seconds field of the `committer Name <email> SECONDS ±HHMM` header line.
    static func committerTimestamp(in payload: [UInt8]) -> Int64? {
        let text = String(decoding: payload, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { return nil }
            guard line.hasPrefix("committer "), let close = line.lastIndex(of: ">") else { continue }
            let fields = line[line.index(after: close)...].split(separator: " ")
            return fields.count == 2 ? Int64(fields[0]) : nil
        }
        return nil
    }
}
