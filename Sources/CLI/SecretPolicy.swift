import Foundation
import Spec

/// Which secret sources a process may read. Sources the operator named (flags, their
/// environment variables) are always read; a source the fleet file chose is read only when
/// the operator allowed it — a file inside a `--secrets-from` directory, a variable named by
/// `--secret-env` — or, outside `plan`, when the operator restricted nothing.
struct SecretPolicy: Sendable {
    /// Real paths (symlinks resolved) of the directories `{file:}` secrets may come from.
    var directories: [String] = []
    /// The variables `{env:}` secrets may name.
    var environmentNames: Set<String> = []
    /// False in `plan`: without an allowance, no spec-chosen source is read.
    var specChosenAllowed = true
    /// The operator's own source for the Cloudflare token (`--cloudflare-token-file|env`).
    var cloudflareToken: SecretReference?

    /// Nil when the fleet file's `reference` may be read; otherwise why not, and the fix.
    func refusal(of reference: SecretReference) -> String? {
        switch reference {
        case .file(let path):
            let real = BoundedFile.realPath(path)
            if self.directories.contains(where: { real.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) { return nil }
            if self.directories.isEmpty && self.specChosenAllowed { return nil }
            return self.directories.isEmpty
                ? "plan reads no secret file the fleet file chooses; allow its directory with --secrets-from DIR"
                : "the file is outside the --secrets-from directories (\(self.directories.joined(separator: ", ")))"
        case .environment(let name):
            if self.environmentNames.contains(name) { return nil }
            if self.environmentNames.isEmpty && self.specChosenAllowed { return nil }
            return self.environmentNames.isEmpty
                ? "plan reads no environment variable the fleet file chooses; allow it with --secret-env \(name)"
                : "the variable is not one --secret-env allows (\(self.environmentNames.sorted().joined(separator: ", ")))"
        }
    }
}

extension SecretReference {
    /// True for `{file:}`.
    var isFile: Bool {
        if case .file = self { return true }
        return false
    }
}
