import Dispatch
import Foundation
import Testing

/// What the test targets share: the third-party test data and interop peers that CI must have
/// and a developer machine may lack, and running processes without blocking the cooperative pool.
public enum TestEnvironment {
    /// The repository root, from this file's location.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// True under CI (`CI=true`), where anything missing is a failure rather than a skip.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Reports something a test needs but cannot find: a recorded failure under CI, a printed
    /// skip message elsewhere. The caller then returns.
    public static func unavailable(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        if self.isCI {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
    }

    /// The interop virtualenv's Python (`DD_PYTHON`, set by `make test`), or nil after ``unavailable(_:sourceLocation:)``.
    public static func python(for purpose: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let path = ProcessInfo.processInfo.environment["DD_PYTHON"], FileManager.default.isExecutableFile(atPath: path) { return path }
        self.unavailable(
            "DD_PYTHON (the interop virtualenv's python, with \(purpose)) is not set; `make test` sets it",
            sourceLocation: sourceLocation
        )
        return nil
    }

    /// The shared test data: `DD_TESTDATA`, default `../shared/testdata` beside the repository.
    public static var testdataDirectory: URL {
        if let configured = ProcessInfo.processInfo.environment["DD_TESTDATA"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, relativeTo: self.repositoryRoot)
        }
        return self.repositoryRoot.appendingPathComponent("../shared/testdata")
    }

    /// A test-data file read in place, or nil after ``unavailable(_:sourceLocation:)``.
    public static func testdata(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) -> Data? {
        let url = self.testdataDirectory.appendingPathComponent(relativePath)
        if let data = try? Data(contentsOf: url) { return data }
        self.unavailable(
            "test data \(url.standardizedFileURL.path) is missing (set DD_TESTDATA to the shared testdata directory)",
            sourceLocation: sourceLocation
        )
        return nil
    }

    /// Runs blocking work (a process, a socket) on a Dispatch thread, so a test that also serves
    /// requests in-process never starves the cooperative thread pool its own server needs.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// What a finished process produced.
    public struct ProcessResult: Sendable {
        /// The exit status.
        public var status: Int32
        /// Standard output.
        public var standardOutput: String
        /// Standard error.
        public var standardError: String
    }

    /// Runs a process to completion (blocking), draining both pipes concurrently.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:],
        directory: URL? = nil,
        input: Data? = nil
    ) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self)
        )
    }
}
