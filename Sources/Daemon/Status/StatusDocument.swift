/// The versioned body of `GET /status` (`docs/status.md`).
public struct StatusDocument: Sendable, Hashable, Codable {
    /// The format's name and version; a change that removes or renames a field bumps it.
    public static let currentVersion = "devopsdefender.status/v1"

    /// ``currentVersion``.
    public var version: String
    /// When the document was made, in seconds since 1970.
    public var generatedAt: Int64
    /// The repository URL (without credentials), branch and fleet file path the source reads.
    public var source: SourceDescription?
    /// Each environment this control plane reconciles.
    public var environments: [EnvironmentStatus]

    /// Creates a document.
    public init(generatedAt: Int64, source: SourceDescription?, environments: [EnvironmentStatus]) {
        self.version = Self.currentVersion
        self.generatedAt = generatedAt
        self.source = source
        self.environments = environments
    }
}
