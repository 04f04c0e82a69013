import Spec

extension DesiredState {
    /// The environments of this desired state that `scope` holds, in their order; the fleet's
    /// name is kept. Pure: nothing else is dropped or changed.
    ///
    /// It lives in the reconciler, not in Spec, because a scope is not part of what the fleet
    /// file means: the file declares every environment, and which of them one control plane may
    /// converge is a decision of the reconciler (DESIGN.md, "Identity and ownership"), as are
    /// the other ``PlannerOptions``. ``Planner/plan(desired:observed:marks:options:)`` applies it
    /// itself, so that a caller passing the whole fleet's desired state still gets a plan that
    /// creates and updates nothing outside its scope; callers may use it too (to read only the
    /// scope's tunnel configurations, or to render the scope).
    public func restricted(to scope: EnvironmentScope) -> DesiredState {
        guard scope != .all else { return self }
        var restricted = self
        restricted.environments = self.environments.filter { scope.contains($0.name) }
        return restricted
    }
}
