import Crypto
import Daemon
import Encoding
import Foundation
import Reconciler
import Spec

/// The desired state from a fleet file on disk (`control-plane FILE` without --repo), re-read on
/// every pass. Its revision is the first 20 bytes of the SHA-256 of its bytes, so an edit is a
/// new revision; there is no history, so every edit counts as a fast-forward.
struct FileDesiredState: DesiredStateSource {
    var file: String
    var loader: SpecLoader

    var description: SourceDescription { SourceDescription(url: self.file, branch: nil, path: self.file) }

    func poll(applied: Revision?, approved: Revision?) async -> SourcePoll {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(self.file, maximumBytes: YAMLLimits().maximumBytes)
        } catch {
            return .unready(head: nil, reason: "FileMissing", message: "\(error); keeping the applied revision", diagnostics: [])
        }
        guard let revision = Self.revision(of: bytes) else {
            return .unready(head: nil, reason: "FileMissing", message: "\(self.file) could not be digested", diagnostics: [])
        }
        if revision == applied { return .unchanged(head: revision) }
        return self.load(bytes, at: revision)
    }

    func load(_ revision: Revision) async -> SourcePoll {
        await self.poll(applied: nil, approved: nil)
    }

    private func load(_ bytes: [UInt8], at revision: Revision) -> SourcePoll {
        switch self.loader(bytes, revision) {
        case .success(let target): return .accepted(DesiredRevision(revision: revision, target: target, verified: nil))
        case .failure(let rejection):
            return .unready(
                head: revision,
                reason: "InvalidSpec",
                message: "\(self.file) is not valid (\(rejection.diagnostics.count) problem(s)); keeping the applied revision",
                diagnostics: rejection.diagnostics
            )
        }
    }

    /// The pseudo-revision of a file's bytes.
    static func revision(of bytes: [UInt8]) -> Revision? {
        Revision(Hex.encode(SHA256.hash(data: bytes).prefix(20)))
    }
}
