import Dispatch
import Emulators
import Foundation
import ProviderSupport
import Testing

/// Starting emulators in-process and running the Python SDK peers.
enum ProviderTestSupport {
    /// The interop virtualenv's Python, or nil (after recording a failure under CI) when unset.
    static func python(sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        if let path = ProcessInfo.processInfo.environment["DD_PYTHON"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let message = "DD_PYTHON (the interop virtualenv's python, with the cloud SDKs) is not set; `make test` sets it"
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        } else {
            print("skipped: \(message)")
        }
        return nil
    }

    /// Runs a script from this directory on a Dispatch thread (the in-process emulator needs the
    /// cooperative pool free) and returns its standard output, or throws with its standard error.
    static func runPython(_ python: String, script: String, arguments: [String]) async throws -> Data {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: python)
                process.arguments = [path] + arguments
                let output = Pipe()
                let errors = Pipe()
                process.standardOutput = output
                process.standardError = errors
                do {
                    try process.run()
                    let data = output.fileHandleForReading.readDataToEndOfFile()
                    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    if process.terminationStatus == 0 {
                        continuation.resume(returning: data)
                    } else {
                        continuation.resume(
                            throwing: ScriptError(description: "\(script) exited \(process.terminationStatus): \(errorText.suffix(3000))")
                        )
                    }
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }
}
