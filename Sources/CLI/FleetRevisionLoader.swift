import Daemon
import Reconciler
import Spec
import Synchronization

/// Loads a control plane's fleet file at a revision — the same loading, validation and
/// expansion `plan` runs — restricted to the environment it reconciles (and the previews copied
/// from it). Keeps the resolved fleet of each revision it accepted, for the registration and the
/// clients that revision needs.
final class FleetRevisionLoader: Sendable {
    /// The environment this control plane reconciles.
    let environment: String
    /// The file name diagnostics and plans carry (the path in the repository, or the file).
    let file: String
    /// The open pull requests whose previews this control plane runs (`--preview`), when the
    /// spec copies previews from its environment.
    let previews: [Int]
    private let fleets = Mutex<[Revision: (fleet: ResolvedFleet, environment: DesiredEnvironment)]>([:])

    init(environment: String, file: String, previews: [Int] = []) {
        self.environment = environment
        self.file = file
        self.previews = previews
    }

    /// The loader the daemon's source calls.
    var loader: SpecLoader { { [self] bytes, revision in self.load(bytes, at: revision) } }

    /// The fleet and this environment, as loaded at `revision`.
    func fleet(at revision: Revision) -> (fleet: ResolvedFleet, environment: DesiredEnvironment)? {
        self.fleets.withLock { $0[revision] }
    }

    func load(_ bytes: [UInt8], at revision: Revision) -> Result<ReconcileTarget, SpecRejection> {
        let result = FleetSpecLoader.load(bytes, file: self.file)
        guard let fleet = result.fleet else { return .failure(Self.rejection(result.diagnostics)) }
        let own = PreviewNumber(environment: self.environment).map { [$0.rawValue] } ?? []
        let previews = self.scope(of: fleet).includesPreviews ? own + self.previews : own
        var diagnostics = DiagnosticCollector(file: self.file)
        guard let desired = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics) else {
            return .failure(Self.rejection(diagnostics.diagnostics))
        }
        guard let own = desired.environments.first(where: { $0.name == self.environment }) else {
            let known = fleet.environments.map(\.name).joined(separator: ", ")
            return .failure(SpecRejection(diagnostics: ["\(self.file): error: the fleet has no environment \(self.environment) (it has \(known))"]))
        }
        let scope = self.scope(of: fleet)
        let target = ReconcileTarget(
            file: self.file,
            specDigest: FleetSession.digest(bytes, previews: previews),
            desired: desired.restricted(to: scope),
            marks: OwnershipMarks(fleet: fleet.spec.metadata.name, prefix: fleet.spec.metadata.namePrefix)
        )
        self.fleets.withLock { fleets in
            if fleets.count > 16 { fleets.removeAll() }
            fleets[revision] = (fleet, own)
        }
        return .success(target)
    }

    /// This environment, and the previews when they copy it.
    func scope(of fleet: ResolvedFleet) -> EnvironmentScope {
        .controlPlane(of: self.environment, in: fleet.spec)
    }

    /// Diagnostics as the status shows them: one line each, file:line:column first, never a
    /// source line (it may hold a value that looks like a secret).
    static func rejection(_ diagnostics: [SpecDiagnostic]) -> SpecRejection {
        SpecRejection(
            diagnostics: diagnostics.filter { $0.severity == .error }.map { diagnostic in
                let position = diagnostic.location.map { ":\($0.line):\($0.column)" } ?? ""
                let hint = diagnostic.hint.map { " (hint: \($0))" } ?? ""
                return "\(diagnostic.file)\(position): error: \(diagnostic.message) [\(diagnostic.rule)]\(hint)"
            }
        )
    }
}
