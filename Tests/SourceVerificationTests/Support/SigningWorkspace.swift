import Foundation
import Reconciler
import TestSupport
import Testing

/// A temporary directory with SSH keys and a git repository, driving the real `ssh-keygen` and
/// `git` (the oracles): signing files and commits, and asking `git verify-commit` for its verdict.
/// Git runs with no global or system configuration and a fixed author, committer and date.
struct SigningWorkspace {
    /// A key pair made by `ssh-keygen`.
    struct Key {
        /// The private key file (what `user.signingkey` and `-f` take).
        var path: URL
        /// The `.pub` line's first two fields: `TYPE BASE64`.
        var publicKey: String
        /// `ssh-keygen -l`'s fingerprint, `SHA256:…`.
        var fingerprint: String
    }

    /// The committer date every commit gets: 2023-01-01T00:00:00Z.
    static let committerTime: Int64 = 1_672_531_200

    let directory: URL
    let repository: URL
    private let sshKeygen: URL
    private let gitTool: URL

    /// A new workspace with an empty repository; nil (after a skip or a CI failure) when
    /// `ssh-keygen` or `git` is missing.
    static func make(sourceLocation: SourceLocation = #_sourceLocation) throws -> SigningWorkspace? {
        guard let sshKeygen = Self.executable("ssh-keygen"), let git = Self.executable("git") else {
            TestEnvironment.unavailable(
                "ssh-keygen and git (Debian openssh-client, git) are needed for the oracle tests",
                sourceLocation: sourceLocation
            )
            return nil
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sshsig-\(UUID().uuidString)")
        let repository = directory.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let workspace = SigningWorkspace(directory: directory, repository: repository, sshKeygen: sshKeygen, gitTool: git)
        _ = try workspace.git(["init", "-q", "-b", "main"])
        return workspace
    }

    /// Deletes the directory.
    func remove() {
        try? FileManager.default.removeItem(at: self.directory)
    }

    // MARK: Keys and files

    /// Makes a key pair without a passphrase: `ed25519`, `ecdsa` (P-256) or `rsa`.
    func makeKey(_ name: String, type: String) throws -> Key {
        let path = self.directory.appendingPathComponent(name)
        var arguments = ["-q", "-t", type, "-N", "", "-C", name, "-f", path.path]
        if type == "ecdsa" { arguments += ["-b", "256"] }
        if type == "rsa" { arguments += ["-b", "2048"] }
        try self.check(self.sshKeygen, arguments)
        let line = try String(contentsOf: path.appendingPathExtension("pub"), encoding: .utf8)
        let publicKey = line.split(separator: " ").prefix(2).joined(separator: " ")
        let listing = try self.check(self.sshKeygen, ["-l", "-f", path.appendingPathExtension("pub").path])
        return Key(path: path, publicKey: publicKey, fingerprint: String(listing.split(separator: " ")[1]))
    }

    /// Writes `text` to `name` in the workspace and returns its location.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let url = self.directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Writes an `allowed_signers` file with `lines`.
    func allowedSigners(_ name: String, _ lines: [String]) throws -> URL {
        try self.write(name, lines.map { $0 + "\n" }.joined())
    }

    /// `ssh-keygen -Y sign` over `message`; returns the armored signature.
    func sign(_ message: [UInt8], with key: Key, namespace: String = "git", hashAlgorithm: String? = nil) throws -> String {
        var arguments = ["-Y", "sign", "-q", "-f", key.path.path, "-n", namespace]
        if let hashAlgorithm { arguments += ["-O", "hashalg=\(hashAlgorithm)"] }
        return try self.check(self.sshKeygen, arguments, input: Data(message))
    }

    /// Signs `message` `count` times in one shell loop (ECDSA signatures differ each time).
    func signRepeatedly(_ message: [UInt8], with key: Key, count: Int) throws -> [String] {
        let messageFile = self.directory.appendingPathComponent("repeat.msg")
        try Data(message).write(to: messageFile)
        let output = self.directory.appendingPathComponent("repeat")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let script = "for i in $(seq 1 \(count)); do \"$0\" -Y sign -q -f \"$1\" -n git < \"$2\" > \"$3/$i.sig\" || exit 1; done"
        try self.check(URL(fileURLWithPath: "/bin/sh"), ["-c", script, self.sshKeygen.path, key.path.path, messageFile.path, output.path])
        return try (1...count).map { try String(contentsOf: output.appendingPathComponent("\($0).sig"), encoding: .utf8) }
    }

    /// `ssh-keygen -Y verify` over `message`: true when it says the signature is good for
    /// `principal` in `namespace`.
    func sshKeygenVerifies(_ message: [UInt8], signature: String, allowedSigners: URL, principal: String, namespace: String = "git") throws -> Bool {
        let file = try self.write("verify.sig", signature)
        let result = try TestEnvironment.run(
            self.sshKeygen,
            ["-Y", "verify", "-f", allowedSigners.path, "-I", principal, "-n", namespace, "-s", file.path],
            input: Data(message)
        )
        return result.status == 0
    }

    // MARK: Git

    /// Runs git in the repository; throws when it fails.
    @discardableResult
    func git(_ arguments: [String], input: Data? = nil) throws -> String {
        try self.check(self.gitTool, arguments, input: input, directory: self.repository)
    }

    /// Makes a commit (with `-S` when `key` is given) changing a file; returns its id.
    func commit(_ message: String, signedWith key: Key?) throws -> Revision {
        try self.write("repo/file.txt", message)
        try self.git(["add", "file.txt"])
        var arguments = ["-c", "gpg.format=ssh"]
        if let key { arguments += ["-c", "user.signingkey=\(key.path.path)"] }
        arguments += ["commit", "-q", "-m", message]
        if key != nil { arguments.append("-S") }
        try self.git(arguments)
        return try self.head()
    }

    /// The current head.
    func head() throws -> Revision {
        let text = try self.git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Revision(text))
    }

    /// The raw commit object.
    func commitObject(_ revision: Revision) throws -> [UInt8] {
        Array(try self.git(["cat-file", "commit", revision.hex]).utf8)
    }

    /// Writes a commit object as given and returns its id (for tampered or re-signed commits).
    func writeCommitObject(_ object: [UInt8]) throws -> Revision {
        let text = try self.git(["hash-object", "-t", "commit", "-w", "--stdin"], input: Data(object))
        return try #require(Revision(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// `git verify-commit` with `allowedSigners` as `gpg.ssh.allowedSignersFile`: true on exit 0.
    func gitVerifies(_ revision: Revision, allowedSigners: URL) throws -> Bool {
        let result = try TestEnvironment.run(
            self.gitTool,
            ["-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile=\(allowedSigners.path)", "verify-commit", revision.hex],
            environment: self.gitEnvironment,
            directory: self.repository
        )
        return result.status == 0
    }

    /// The commit as the daemon's git source hands it over (see ``CommitObject``).
    func record(_ revision: Revision) throws -> CommitRecord {
        let split = CommitObject.split(try self.commitObject(revision))
        return CommitRecord(revision: revision, signedPayload: split.signature == nil ? [] : split.payload, signature: split.signature)
    }

    // MARK: Processes

    private var gitEnvironment: [String: String] {
        let date = "@\(Self.committerTime) +0000"
        return [
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@example.com", "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": "Alice", "GIT_COMMITTER_EMAIL": "alice@example.com", "GIT_COMMITTER_DATE": date,
        ]
    }

    @discardableResult
    private func check(_ tool: URL, _ arguments: [String], input: Data? = nil, directory: URL? = nil) throws -> String {
        let result = try TestEnvironment.run(tool, arguments, environment: self.gitEnvironment, directory: directory, input: input)
        guard result.status == 0 else {
            throw ToolFailure(
                description: "\(tool.lastPathComponent) \(arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)"
            )
        }
        return result.standardOutput
    }

    private static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// A tool exited non-zero.
    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }
}
