import ArgumentParser
import Daemon
import Foundation
import Reconciler
import SourceVerification

/// The daemon's commit check over SSH signatures: every commit must be signed by a key the
/// allowed_signers file lists for the `git` namespace, judged at the time of the check (not the
/// committer date a signer chooses, which `git verify-commit` uses).
struct SSHCommitVerifier: CommitVerifier {
    var verifier: SSHSignatureVerifier

    /// Reads an allowed_signers file; the error names the file, line and column.
    init(allowedSignersFile path: String) throws {
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path, maximumBytes: 1 << 20)
        } catch {
            throw ValidationError("--allowed-signers \(path) \(error.explanation)")
        }
        do {
            self.verifier = SSHSignatureVerifier(allowedSigners: try AllowedSigners(parsing: String(decoding: data, as: UTF8.self)))
        } catch {
            throw ValidationError("--allowed-signers \(path): \(error)")
        }
    }

    func firstRejected(_ commits: [CommitRecord]) -> CommitRejection? {
        let check = CommitSignatureVerifier(verifier: self.verifier, validityTime: .fixed(Int64(Date().timeIntervalSince1970)))
        guard case .failed(let revision, let verdict) = check.verify(commits) else { return nil }
        return CommitRejection(revision: revision, reason: "\(verdict)")
    }
}
