import Foundation

/// The process's environment variables, read once at the composition root and passed to what
/// needs them; libraries never read the environment themselves.
struct ProcessEnvironment: Sendable {
    /// Every variable, by name.
    let variables: [String: String]

    /// The environment this process was started with.
    static func current() -> ProcessEnvironment { ProcessEnvironment(variables: ProcessInfo.processInfo.environment) }

    /// The value of `name`, or nil when it is unset.
    subscript(_ name: String) -> String? { self.variables[name] }

    /// The intent journal's file: `flag` (`--journal`), else `DD_JOURNAL`, else
    /// `journal.sqlite3` in `stateDirectory` (`.devopsdefender` in the working directory unless a
    /// control plane's --state-dir says otherwise). `apply`, `plan` and the control plane all
    /// find it here, so they share one file unless told otherwise.
    func journalPath(flag: String?, stateDirectory: String = ".devopsdefender") -> String {
        flag ?? self["DD_JOURNAL"] ?? (stateDirectory as NSString).appendingPathComponent("journal.sqlite3")
    }
}
