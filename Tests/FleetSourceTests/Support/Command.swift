import Foundation

/// Runs the tests' oracles and setup tools (`git`, `ssh-keygen`) with an environment that works on
/// a fresh CI machine: no global or system git configuration, a fixed author and committer.
enum Command {
    /// What a failed command printed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The environment every command gets; `home` keeps tools away from the real home directory.
    static func environment(home: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { $0.key == "PATH" }
        environment["HOME"] = home
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Fleet Tester"
        environment["GIT_AUTHOR_EMAIL"] = "tester@example.com"
        environment["GIT_COMMITTER_NAME"] = "Fleet Tester"
        environment["GIT_COMMITTER_EMAIL"] = "tester@example.com"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        return environment
    }

    /// Runs `executable` (looked up on PATH) with `arguments`; its standard output, trimmed.
    @discardableResult
    static func run(_ arguments: [String], home: String, stdin: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = Self.environment(home: home)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        if let stdin { process.standardInput = FileHandle(forReadingAtPath: stdin) }
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description: "\(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))"
            )
        }
        return String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
