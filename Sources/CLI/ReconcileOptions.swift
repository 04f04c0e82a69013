import ArgumentParser
import Foundation
import Reconciler

/// The options `plan` and `apply` share: which previews are open, and the safety knobs.
struct ReconcileOptions: ParsableArguments {
    @Option(
        name: .customLong("preview"),
        help: ArgumentHelp(
            "An open pull request to run a preview for (repeat for each). With any --preview (or --no-previews), previews not named are torn down; without, previews are left alone.",
            valueName: "number"
        )
    )
    var previews: [Int] = []

    @Flag(help: "No pull request is open: tear down every preview environment.")
    var noPreviews = false

    @Option(
        name: .customLong("env"),
        help: ArgumentHelp(
            "Only this environment (and the previews copied from it), as its control plane reconciles it: other environments' objects are never created, changed or deleted.",
            valueName: "name"
        )
    )
    var onlyEnvironment: String?

    @Option(help: ArgumentHelp("Replacement VMs a pool may run beyond its count during a rollout.", valueName: "n"))
    var maxSurge: Int = 1

    @Option(help: ArgumentHelp("Refuse a plan deleting more than this share of the owned objects (circuit breaker).", valueName: "percent"))
    var maxDeletePercent: Int = 30

    @Flag(help: "Allow deleting a production control plane without a successor, and planning an empty fleet.")
    var allowDestroy = false

    @Option(
        help: ArgumentHelp(
            "A running control plane (http://host:port) whose agent registry to observe (default: DD_CONTROL_PLANE_URL; none: no agents).",
            valueName: "url"
        )
    )
    var controlPlane: String?

    @Option(
        help: ArgumentHelp(
            "Tunnel configurations read per run at most (one Cloudflare call each); with a journal, the least recently verified are read and the rest come from its ingress cache.",
            valueName: "n"
        )
    )
    var ingressChecks = 500

    /// The control plane to read agents from, if any: `--control-plane`, else `DD_CONTROL_PLANE_URL`.
    func controlPlaneURL(_ environment: ProcessEnvironment) -> String? { self.controlPlane ?? environment["DD_CONTROL_PLANE_URL"] }

    @Option(
        help: ArgumentHelp(
            "The intent journal (SQLite; default: DD_JOURNAL, else .devopsdefender/journal.sqlite3 in the working directory).",
            valueName: "path"
        )
    )
    var journal: String?

    func validate() throws {
        if !self.previews.isEmpty && self.noPreviews { throw ValidationError("--preview and --no-previews contradict each other; give one") }
        if let bad = self.previews.first(where: { $0 < 1 }) { throw ValidationError("--preview \(bad) is not a pull-request number") }
        guard self.ingressChecks >= 0 else { throw ValidationError("--ingress-checks must be zero or more") }
        guard self.maxSurge >= 1 else { throw ValidationError("--max-surge must be at least 1") }
        guard (0...100).contains(self.maxDeletePercent) else { throw ValidationError("--max-delete-percent must be between 0 and 100") }
    }

    /// The settings these flags give.
    var settings: ReconcileSettings {
        ReconcileSettings(
            previews: Array(Set(self.previews)).sorted(),
            previewScope: self.previews.isEmpty && !self.noPreviews ? .untouched : .exact,
            maxSurge: self.maxSurge,
            maxDeletePercent: self.maxDeletePercent,
            allowDestroy: self.allowDestroy
        )
    }

    /// Where the journal lives.
    func journalPath(_ environment: ProcessEnvironment) -> String { environment.journalPath(flag: self.journal) }
}
