import Spec

/// Renders a plan as versioned JSON (`formatVersion` 1, documented in docs/plan-format.md).
/// Saved plans are this document with an `inputs` object the CLI adds.
public enum PlanJSONRenderer {
    /// The document as a structured value; `inputs` is appended when given.
    public static func document(_ plan: Plan, inputs: StructuredValue? = nil) -> StructuredValue {
        let summary = plan.summary
        return .object([
            ("formatVersion", .integer(Plan.formatVersion)),
            ("fleet", .string(plan.fleet)),
            ("summary", .object([("create", .integer(summary.create)), ("update", .integer(summary.update)), ("delete", .integer(summary.delete))])),
            ("refused", .boolean(plan.isRefused)),
            ("refusals", .array(plan.refusals.map { .object([("code", .string($0.code.rawValue)), ("message", .string($0.message))]) })),
            ("warnings", .array(plan.warnings.map(StructuredValue.string))),
            ("withheld", .array(plan.withheld.map { .string($0.id) })),
            ("withheldReasons", .array(plan.withheld.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) })),
            (
                "sources",
                .array(
                    plan.sources.map { source in
                        .object([
                            ("name", .string(source.name.rawValue)), ("complete", .boolean(source.complete)), ("count", .integer(source.count)),
                            ("detail", .optional(source.detail)),
                        ])
                    }
                )
            ),
            ("ownedCount", .integer(plan.ownedCount)),
            ("environments", .array(plan.environments.map(StructuredValue.string))),
            ("actions", .array(plan.actions.map(Self.action))),
            ("inputs", inputs),
        ])
    }

    static func action(_ action: PlanAction) -> StructuredValue {
        .object([
            ("id", .string(action.id)),
            ("operation", .string(action.operation.rawValue)),
            ("resource", .string(action.resource.rawValue)),
            ("name", .string(action.name)),
            ("environment", .string(action.environment)),
            ("reason", .string(action.reason)),
            ("replacement", action.isReplacement ? .boolean(true) : nil),
            (
                "changes",
                .array(
                    action.changes.map { change in
                        .object([("field", .string(change.field)), ("before", .optional(change.before)), ("after", .optional(change.after))])
                    }
                )
            ),
            ("dependsOn", .array(action.dependsOn.map(StructuredValue.string))),
        ])
    }
}
