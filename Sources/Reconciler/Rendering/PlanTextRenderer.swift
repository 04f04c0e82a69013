/// Renders a plan for a terminal: grouped by environment, one line per action with its reason,
/// the changed fields beneath, colours when asked, and the summary line last.
public struct PlanTextRenderer: Sendable {
    /// Use ANSI colours.
    public var useColor: Bool

    /// Creates a renderer.
    public init(useColor: Bool) { self.useColor = useColor }

    /// The whole plan as text.
    public func render(_ plan: Plan) -> String {
        var out = "Fleet \(plan.fleet): "
        out += plan.sources.map { "\($0.name.rawValue) \($0.complete ? "complete" : "PARTIAL") (\($0.count))" }.joined(separator: ", ")
        out += "\n"
        for source in plan.sources where !source.complete {
            out += self.paint("  \(source.name.rawValue): \(source.detail ?? "incomplete")", "33") + "\n"
        }
        if plan.isEmpty {
            out += "\nNo changes. The fleet matches the spec.\n"
        }
        for environment in plan.environments {
            let actions = plan.actions.filter { $0.environment == environment }
            guard !actions.isEmpty else { continue }
            out += "\n" + self.paint(environment, "1") + "\n"
            for action in actions {
                let color = action.operation == .create ? "32" : action.operation == .update ? "33" : "31"
                let head = "\(action.operation.symbol) \(action.resource.rawValue.padding(7)) \(action.name)"
                out += "  " + self.paint(head, color) + self.paint("  # \(action.reason)", "2") + "\n"
                for change in action.changes {
                    out += "      \(change.field): \(Self.describe(change))\n"
                }
            }
        }
        if !plan.withheld.isEmpty {
            out += "\n" + self.paint("Withheld", "1") + " (planned again once the observation is complete and fresh)\n"
            for withheld in plan.withheld {
                out += "  " + self.paint("? \(withheld.id)", "33") + self.paint("  # \(withheld.reason)", "2") + "\n"
            }
        }
        for warning in plan.warnings {
            out += "\n" + self.paint("Warning:", "33") + " \(warning)\n"
        }
        for refusal in plan.refusals {
            out += "\n" + self.paint("Refused (\(refusal.code)):", "31;1") + " \(refusal.message)\n"
        }
        out += "\n" + self.paint(plan.summary.sentence, "1") + "\n"
        return out
    }

    /// `before → after`, `+ after` or `- before`.
    static func describe(_ change: PlanAction.Change) -> String {
        switch (change.before, change.after) {
        case (let before?, let after?): "\(before) → \(after)"
        case (nil, let after?): after
        case (let before?, nil): "\(before) (removed)"
        case (nil, nil): "(none)"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        self.useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func padding(_ width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
