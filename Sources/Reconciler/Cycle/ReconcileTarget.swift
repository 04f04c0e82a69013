import Spec

/// What a cycle converges towards: one fleet file, expanded.
public struct ReconcileTarget: Sendable {
    /// The fleet file, as given (for messages and saved plans).
    public var file: String
    /// SHA-256 over the file's bytes and the open previews.
    public var specDigest: String
    /// The expanded desired state.
    public var desired: DesiredState
    /// The fleet's ownership marks.
    public var marks: OwnershipMarks

    /// Creates a target.
    public init(file: String, specDigest: String, desired: DesiredState, marks: OwnershipMarks) {
        self.file = file
        self.specDigest = specDigest
        self.desired = desired
        self.marks = marks
    }

    /// The tunnels whose configurations an observation reads.
    public var wantedTunnels: Set<String> { Set(self.desired.environments.flatMap { $0.tunnels.map(\.name) }) }
}
