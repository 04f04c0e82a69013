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
}
