import Spec

extension EnvironmentScope {
    /// What the control plane of `environment` reconciles: that environment, and the previews
    /// when the spec copies them from it (`previews.from`). `plan --env` and the daemon use it,
    /// so a plan made by hand for an environment is the plan its control plane makes.
    public static func controlPlane(of environment: String, in spec: FleetSpec) -> EnvironmentScope {
        let previews = spec.previews.map { $0.enabled && $0.from.value == environment } ?? false
        return .only([environment], previews: previews)
    }

    /// True when preview environments (`pr-N`) are in the scope.
    public var includesPreviews: Bool {
        switch self {
        case .all: true
        case .only(_, let previews): previews
        }
    }
}
