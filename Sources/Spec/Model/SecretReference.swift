/// Where a secret comes from. The fleet file never holds a secret's value, only this.
public enum SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// An environment variable of the process that needs the secret.
    case environment(String)
    /// A file readable by the process that needs the secret.
    case file(String)

    /// `env:NAME` or `file:PATH`: safe to print, since it names the secret without revealing it.
    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }
}
