import Daemon
import Foundation
import Reconciler
import Spec
import TestSupport

/// Targets and loaders for the daemon's tests, made from the example fleet file.
enum DaemonFixture {
    /// The example fleet, expanded.
    static func desired() throws -> DesiredState {
        let bytes = try Array(Data(contentsOf: TestEnvironment.repositoryRoot.appendingPathComponent("examples/fleet.yaml")))
        let result = FleetSpecLoader.load(bytes, file: "fleet.yaml")
        var diagnostics = DiagnosticCollector(file: "fleet.yaml")
        guard let fleet = result.fleet, let desired = FleetExpander.expand(fleet, previews: [], diagnostics: &diagnostics) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return desired
    }

    /// A loader: a file reading `valid …` becomes a target whose digest is its text; anything
    /// else is rejected with one diagnostic.
    static func loader(_ desired: DesiredState) -> SpecLoader {
        { bytes, revision in
            let text = String(decoding: bytes, as: UTF8.self)
            guard text.hasPrefix("valid") else { return .failure(SpecRejection(diagnostics: ["fleet.yaml:1:1: error: '\(text)' is not a fleet"])) }
            return .success(
                ReconcileTarget(file: "fleet.yaml", specDigest: text, desired: desired, marks: OwnershipMarks(fleet: desired.fleet, prefix: "dd"))
            )
        }
    }

    static let description = SourceDescription(url: "file:///repo", branch: "main", path: "fleet.yaml")
}
