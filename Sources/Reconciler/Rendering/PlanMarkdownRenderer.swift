/// Renders a plan as a pull-request comment: the summary first, refusals and warnings, then one
/// collapsible table per environment, cut at ``maximumCharacters`` with a note saying so.
public struct PlanMarkdownRenderer: Sendable {
    /// GitHub's comment limit is 65,536 characters; stay well below it.
    public var maximumCharacters = 60_000

    /// Creates a renderer.
    public init(maximumCharacters: Int = 60_000) { self.maximumCharacters = maximumCharacters }

    /// The comment body.
    public func render(_ plan: Plan) -> String {
        var head = "### DevOps Defender plan for `\(plan.fleet)`\n\n**\(plan.summary.sentence)**"
        if plan.isRefused { head += " ⛔ **Refused by policy.**" } else if plan.isEmpty { head += " The fleet matches the spec." }
        head += "\n\n"
        for refusal in plan.refusals { head += "> ⛔ **\(refusal.code)**: \(Self.escape(refusal.message))\n\n" }
        for warning in plan.warnings { head += "> ⚠️ \(Self.escape(warning))\n\n" }
        let partial = plan.sources.filter { !$0.complete }
        if !partial.isEmpty {
            let names = partial.map { "`\($0.name.rawValue)`" }.joined(separator: ", ")
            head += "> ⚠️ Partial observation: \(names) — no deletions planned, nor creates of what it did not list.\n\n"
        }
        var body = ""
        var shown = 0
        var cut = false
        let note = { (remaining: Int) in
            "\n_… \(remaining) more action(s) not shown: the comment is capped at \(self.maximumCharacters) characters. "
                + "Run `devopsdefender plan` for the full plan._\n"
        }
        outer: for environment in plan.environments {
            let actions = plan.actions.filter { $0.environment == environment }
            guard !actions.isEmpty else { continue }
            let counts = PlanAction.Operation.allCases.map { operation in (operation, actions.filter { $0.operation == operation }.count) }
                .filter { $0.1 > 0 }.map { "\($0.1) to \($0.0.rawValue)" }.joined(separator: ", ")
            var section =
                "<details><summary><b>\(Self.escape(environment))</b>: \(counts)</summary>\n\n| | Resource | Name | Reason | Changes |\n|---|---|---|---|---|\n"
            for action in actions {
                let changes = action.changes.map { "\($0.field): \(PlanTextRenderer.describe($0))" }.joined(separator: "; ")
                let row =
                    "| \(action.operation.symbol) | \(action.resource.rawValue) | `\(action.name)` | \(Self.escape(action.reason)) | \(Self.escape(changes)) |\n"
                let closing = "\n</details>\n\n"
                if head.count + body.count + section.count + row.count + closing.count + note(plan.actions.count).count > self.maximumCharacters {
                    body += section + closing
                    cut = true
                    break outer
                }
                section += row
                shown += 1
            }
            body += section + "\n</details>\n\n"
        }
        if cut { body += note(plan.actions.count - shown) }
        return head + body
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
