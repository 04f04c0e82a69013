import Reconciler

/// Turns a fleet file's bytes at a revision into a target, or its diagnostics. The CLI's
/// composition root provides it (the same loading, validation and expansion `plan` runs).
public typealias SpecLoader = @Sendable (_ bytes: [UInt8], _ revision: Revision) -> Result<ReconcileTarget, SpecRejection>

/// A fleet file that did not load: its diagnostics, rendered one per line with file:line:column.
public struct SpecRejection: Error, Sendable, Hashable {
    /// The diagnostics, one per entry.
    public var diagnostics: [String]

    /// Creates a rejection.
    public init(diagnostics: [String]) {
        self.diagnostics = diagnostics
    }
}
