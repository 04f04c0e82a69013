import Spec

/// The environments one plan reconciles. `plan` and `apply` reconcile the whole fleet file
/// (``all``); a control plane that the daemon runs for one environment (`--env production`)
/// reconciles that environment only, and the pull-request previews when it is the environment
/// that creates them (DESIGN.md, "Identity and ownership").
///
/// An owned object outside the scope — a VM by its `dd-env` label, a DNS record by the
/// environment of its ownership comment, a tunnel by the environment its ownership proof maps
/// it to — belongs to another control plane: the plan never creates, updates or deletes it, the
/// circuit breaker does not count it, and no warning reports it.
public enum EnvironmentScope: Sendable, Hashable, CustomStringConvertible {
    /// Every environment: the spec's, those only observed (removed environments), and the
    /// previews as ``PlannerOptions/previewScope`` allows.
    case all
    /// The long-lived environments named, and the previews (`pr-N`) when `previews` is true
    /// (then ``PlannerOptions/previewScope`` decides which observed previews may be torn down).
    /// Whether a preview is in scope depends on `previews` alone, never on the set.
    case only(Set<String>, previews: Bool)

    /// True when `environment` is in the scope.
    public func contains(_ environment: String) -> Bool {
        switch self {
        case .all: true
        case .only(let environments, let previews): PreviewNumber.isPreview(environment) ? previews : environments.contains(environment)
        }
    }

    /// `all environments`, or the environments sorted and joined with `and` (`staging`), then
    /// `and previews` when they are in scope.
    public var description: String {
        guard case .only(let environments, let previews) = self else { return "all environments" }
        let names = environments.sorted() + (previews ? ["previews"] : [])
        return names.isEmpty ? "no environment" : names.joined(separator: " and ")
    }
}
