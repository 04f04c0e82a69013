import Reconciler
import Spec

/// An environment's last plan, rendered as `devopsdefender plan` prints it.
public struct RenderedPlan: Sendable, Hashable {
    /// The revision it was planned at.
    public var revision: Revision
    /// `plan --format json`.
    public var json: String
    /// `plan --format markdown`.
    public var markdown: String

    /// Renders `plan` with its inputs.
    public init(revision: Revision, plan: Plan, inputs: PlanInputs) {
        self.revision = revision
        self.json = PlanJSONRenderer.document(plan, inputs: inputs.structured).prettyJSON() + "\n"
        self.markdown = PlanMarkdownRenderer().render(plan)
    }
}
