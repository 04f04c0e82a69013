import Foundation
import Reconciler

/// The fleet repository a benchmark's daemon follows: a bare "origin" and a working clone in a
/// temporary directory, driven with the `git` CLI (benchmark setup only: the product never runs
/// git). Removed by ``remove()``.
struct FleetRepository: Sendable {
    /// The temporary directory holding everything (also the daemon's state directory's parent).
    let root: String
    /// The bare repository the daemon reads (a local path).
    var origin: String { self.root + "/origin.git" }
    /// The working repository.
    var work: String { self.root + "/work" }
    /// The fleet file's path in the repository.
    let path = "fleet.yaml"

    /// Creates the repositories and commits `fleet` as the first revision on `main`.
    static func create(fleet: String) async throws -> (FleetRepository, Revision) {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("dd-bench-daemon.XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard mkdtemp(&buffer) != nil else { throw BenchmarkError(message: "mkdtemp failed") }
        let root = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let repository = FleetRepository(root: root)
        try await repository.git(["init", "-q", "--bare", "-b", "main", repository.origin])
        try await repository.git(["init", "-q", "-b", "main", repository.work])
        try await repository.git(["-C", repository.work, "remote", "add", "origin", repository.origin])
        return (repository, try await repository.commit(fleet, message: "fleet"))
    }

    /// Writes `fleet`, commits it and pushes it to origin; returns the new head of `main`.
    @discardableResult
    func commit(_ fleet: String, message: String) async throws -> Revision {
        try Data(fleet.utf8).write(to: URL(fileURLWithPath: self.work + "/" + self.path))
        try await self.git(["-C", self.work, "add", "-A"])
        try await self.git(["-C", self.work, "commit", "-q", "-m", message])
        try await self.git(["-C", self.work, "push", "-q", "origin", "HEAD:main"])
        let hex = try await self.git(["--git-dir", self.origin, "rev-parse", "refs/heads/main"])
        guard let revision = Revision(hex.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchmarkError(message: "git rev-parse answered '\(hex)'")
        }
        return revision
    }

    func remove() { try? FileManager.default.removeItem(atPath: self.root) }

    /// Runs git off the cooperative pool (the process's exit resumes the caller); its output.
    @discardableResult
    func git(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": self.root,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "dd-bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "dd-bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw BenchmarkError(message: "git \(arguments.joined(separator: " ")) exited \(status): \(message)")
        }
        return text
    }
}
