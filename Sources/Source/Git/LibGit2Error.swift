import CLibGit2
import Reconciler

/// Reads libgit2's thread-local "last error".
enum LibGit2Error {
    /// The last error's message on this thread, on one line; a fallback when there is none.
    static func lastMessage() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "no detail from libgit2" }
        return Self.oneLine(String(cString: message))
    }

    /// The last error's class (`GIT_ERROR_*`), or nil when there is none.
    static func lastClass() -> git_error_t? {
        guard let error = git_error_last() else { return nil }
        return git_error_t(rawValue: UInt32(bitPattern: error.pointee.klass))
    }

    /// `text` with line breaks and runs of spaces collapsed, and no trailing period.
    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        var line = words.joined(separator: " ")
        while line.hasSuffix(".") { line.removeLast() }
        return line
    }

    /// `error` with every secret in its message replaced by `<redacted>`.
    static func redacting(_ secrets: [String], in error: GitSourceError) -> GitSourceError {
        var message = error.message
        for secret in secrets where !secret.isEmpty {
            message = message.replacing(secret, with: "<redacted>")
        }
        return GitSourceError(error.code, message)
    }
}
