import Foundation
import TestSupport
import Testing

/// Running the Python SDK peers against in-process emulators.
enum ProviderTestSupport {
    /// The interop virtualenv's Python, or nil when unset (a failure under CI).
    static func python() -> String? { TestEnvironment.python(for: "the cloud SDKs") }

    /// Runs a script from this directory off the cooperative pool (the in-process emulator needs
    /// it) and returns its standard output, or throws with its standard error.
    static func runPython(_ python: String, script: String, arguments: [String]) async throws -> Data {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(script).path
        let result = try await TestEnvironment.offPool { try TestEnvironment.run(URL(fileURLWithPath: python), [path] + arguments) }
        guard result.status == 0 else {
            throw ScriptError(description: "\(script) exited \(result.status): \(result.standardError.suffix(3000))")
        }
        return Data(result.standardOutput.utf8)
    }

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }
}
