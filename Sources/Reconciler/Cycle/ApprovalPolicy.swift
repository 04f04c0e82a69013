/// How a cycle decides to go ahead with a plan that changes something.
public enum ApprovalPolicy: Sendable {
    /// Go ahead without asking (`apply --auto-approve`, the daemon).
    case automatic
    /// Ask: the callback sees the plan and answers yes or no (a person at a terminal). When the
    /// answer takes longer than the settings' snapshot age, the cycle observes again and refuses
    /// if the plan or the world changed meanwhile.
    case interactive(@Sendable (Plan) async -> Bool)
    /// Go ahead only if nothing changed since the plan was saved: the spec, the observation and
    /// the actions must be those of `inputs` and `actions` (`apply PLAN`).
    case refuseIfChanged(inputs: PlanInputs, actions: [String])
}
