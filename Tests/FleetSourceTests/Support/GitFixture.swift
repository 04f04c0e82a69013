import FleetSource
import Foundation
import Reconciler

/// A bare "origin" repository and a working clone that pushes to it, made with the `git` CLI in
/// a temporary directory that is removed when the fixture goes.
final class GitFixture {
    /// The temporary directory holding everything.
    let root: String
    /// The bare repository the adapter reads.
    let origin: String
    /// The working repository commits are made and pushed from.
    let work: String
    /// Where the adapter's local copy goes.
    let cache: String

    init() throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("fleetsource.XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw Command.Failure(description: "mkdtemp failed") }
        self.root = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.origin = self.root + "/repos/origin.git"
        self.work = self.root + "/work"
        self.cache = self.root + "/cache/fleet.git"
        try self.git(["init", "-q", "--bare", "-b", "main", self.origin])
        try self.git(["init", "-q", "-b", "main", self.work])
        try self.git(["-C", self.work, "remote", "add", "origin", self.origin])
    }

    deinit {
        try? FileManager.default.removeItem(atPath: self.root)
    }

    /// Runs git with the fixture's environment.
    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        try Command.run(["git"] + arguments, home: self.root)
    }

    /// Writes `files` (path → contents) in the working repository, commits them (`git
    /// [gitOptions] commit [commitOptions]`), and returns the new head.
    @discardableResult
    func commit(_ message: String, files: [String: String], gitOptions: [String] = [], commitOptions: [String] = []) throws -> Revision {
        for (path, contents) in files {
            let url = URL(fileURLWithPath: self.work + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        try self.git(["-C", self.work, "add", "-A"])
        try self.git(["-C", self.work] + gitOptions + ["commit", "-q"] + commitOptions + ["-m", message])
        return try self.head()
    }

    /// The working repository's head.
    func head() throws -> Revision {
        try Self.revision(self.git(["-C", self.work, "rev-parse", "HEAD"]))
    }

    /// Pushes the working branch (forcing when asked) and returns origin's `main`.
    @discardableResult
    func push(force: Bool = false) throws -> Revision {
        try self.git(["-C", self.work, "push", "-q"] + (force ? ["--force"] : []) + ["origin", "HEAD:main"])
        return try Self.revision(self.git(["--git-dir", self.origin, "rev-parse", "refs/heads/main"]))
    }

    /// Replaces the working repository's history with one unrelated commit.
    func startUnrelatedHistory() throws -> Revision {
        try self.git(["-C", self.work, "checkout", "-q", "--orphan", "rewritten"])
        try self.git(["-C", self.work, "rm", "-q", "-rf", "."])
        return try self.commit("unrelated", files: ["fleet.yaml": "rewritten: true\n"])
    }

    /// `git rev-list --reverse` over `range` in origin.
    func revList(_ range: String) throws -> [Revision] {
        try self.git(["--git-dir", self.origin, "rev-list", "--reverse", range]).split(separator: "\n").map { try Self.revision(String($0)) }
    }

    /// A source on origin, reached as `url` (default: origin's plain path).
    func source(url: String? = nil, branch: String = "main", token: String? = nil, timeout: Duration = .seconds(30)) throws -> GitSourceLibGit2 {
        try GitSourceLibGit2(
            configuration: .init(
                url: url ?? self.origin,
                cacheDirectory: self.cache,
                branch: branch,
                token: token.map(AccessToken.init),
                fetchTimeout: timeout
            )
        )
    }

    static func revision(_ text: String) throws -> Revision {
        guard let revision = Revision(text) else { throw Command.Failure(description: "'\(text)' is not a commit id") }
        return revision
    }
}
