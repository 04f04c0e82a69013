/// Where the desired state comes from, as the status shows it (never with a credential).
public struct SourceDescription: Sendable, Hashable, Codable {
    /// The repository URL, or the file path when the control plane runs without git.
    public var url: String
    /// The branch; nil without git.
    public var branch: String?
    /// The fleet file's path in the repository.
    public var path: String

    /// Creates a description.
    public init(url: String, branch: String?, path: String) {
        self.url = url
        self.branch = branch
        self.path = path
    }
}
