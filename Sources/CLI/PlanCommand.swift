import ArgumentParser
import Foundation
import Logging
import Reconciler
import SQLiteStore
import Spec

/// `devopsdefender plan FILE`
struct PlanCommand: AsyncParsableCommand, LoggingConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change, without changing anything (a dry run for CI).",
        discussion: """
            Reads the fleet file, observes GCE and Cloudflare with bulk lists (read-only: a plan \
            never makes a mutating call), and prints the actions that would converge them: \
            VM → tunnel → ingress → DNS, in-place updates where the API allows, create-before-\
            destroy rollouts. Only objects carrying the fleet's ownership marks are ever touched; \
            with any list partial or stale, nothing is deleted, and nothing is created where a \
            partial list could not show it. A source that cannot be read at all (refused \
            credentials, an unknown project or account) is an error, never an empty list.

            The journal (--journal) is only read: its ingress cache (and the cache is refreshed \
            with what this plan read), and, while an apply holds its lock, what that apply is \
            working on (never deleted by this plan). A plan never creates the journal.

            Examples:
              devopsdefender plan fleet.yaml
              devopsdefender plan fleet.yaml --preview 42 --preview 57 --format markdown > comment.md
              devopsdefender plan fleet.yaml --out plan.json && devopsdefender apply plan.json

            Exit codes: 0 no changes, 2 changes to make, 1 error (a fleet file that is not \
            valid, a source that cannot be read), 3 refused by policy (circuit breaker, empty \
            fleet, protected control plane, foreign DNS record in the way).
            Plan format: docs/plan-format.md.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
        case markdown
    }

    @Argument(help: ArgumentHelp("The fleet file.", valueName: "file"))
    var file: String

    @Option(help: "Output format: text (grouped by environment), json (versioned) or markdown (a PR comment).")
    var format: Format = .text

    @Option(help: ArgumentHelp("Also save the plan (JSON, with its inputs) for `apply PLAN`.", valueName: "plan"))
    var out: String?

    @OptionGroup var reconcile: ReconcileOptions
    @OptionGroup var endpoints: CloudEndpointOptions
    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        var settings = self.reconcile.settings
        let environment = ProcessEnvironment.current()
        let session: FleetSession
        do {
            session = try FleetSession.open(
                file: self.file,
                input: self.input,
                endpoints: self.endpoints,
                previews: settings.previews,
                only: self.reconcile.onlyEnvironment,
                specChosenSecrets: false,
                environment: environment,
                logger: Logger(label: "devopsdefender.plan")
            )
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(error.exitCode)
        }
        settings.environmentScope = session.scope
        let journalPath = self.reconcile.journalPath(environment)
        let existing = await PlanCommand.existingJournal(journalPath)
        let cycle = session.cycle(
            journal: existing ?? MemoryJournal(),
            controlPlane: self.reconcile.controlPlaneURL(environment),
            ingressChecks: self.reconcile.ingressChecks
        )
        let inFlight = await PlanCommand.inFlight(journalPath: journalPath)
        if !inFlight.isEmpty {
            Terminal.standardError.write(
                "An apply is running (it holds the journal lock): \(inFlight.count) object(s) it is working on are never deleted by this plan.\n"
            )
        }
        switch await cycle.plan(settings: settings, inFlight: inFlight) {
        case .unreadable(let sources):
            Terminal.standardError.write(UnreadableReport.render(sources))
            throw ExitCode(1)
        case .planned(let plan, let inputs, _):
            try self.show(plan, inputs: inputs)
            throw ExitCode(PlanCommand.exitCode(for: plan))
        }
    }

    /// Prints the plan in the chosen format, and saves it when asked.
    func show(_ plan: Plan, inputs: PlanInputs) throws {
        switch self.format {
        case .text: Terminal.standardOutput.write(PlanTextRenderer(useColor: Terminal.standardOutput.supportsColor).render(plan))
        case .json: Terminal.standardOutput.write(PlanJSONRenderer.document(plan, inputs: inputs.structured).prettyJSON() + "\n")
        case .markdown: Terminal.standardOutput.write(PlanMarkdownRenderer().render(plan))
        }
        guard let out = self.out else { return }
        do {
            try AtomicFileWriter.write(Array((PlanJSONRenderer.document(plan, inputs: inputs.structured).prettyJSON() + "\n").utf8), to: out)
        } catch {
            Terminal.standardError.write("error: cannot write the plan to \(out): \(error.reason)\n")
            throw ExitCode(1)
        }
        Terminal.standardError.write("Saved the plan to \(out); apply it with: devopsdefender apply \(out)\n")
    }

    /// 3 refused, 2 changes, 0 none.
    static func exitCode(for plan: Plan) -> Int32 {
        plan.isRefused ? 3 : plan.isEmpty ? 0 : 2
    }

    /// The journal at `path` when it exists and is current: its ingress cache serves this plan.
    /// A plan never creates a journal, and never upgrades an older one (an upgrade closes
    /// pending intents, which a running apply may own); without one it plans uncached.
    static func existingJournal(_ path: String) async -> SQLiteJournal? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try? await SQLiteJournal(path: path, writer: .reconciler, upgrade: false)
    }

    /// While an apply runs (it holds the journal's lock), the resources that any writer's pending
    /// intents name: this plan never deletes them.
    static func inFlight(journalPath: String) async -> Set<String> {
        guard ApplyLock.isHeld(journal: journalPath), let journal = await Self.existingJournal(journalPath),
            let unfinished = try? await journal.unfinishedByAnyWriter()
        else { return [] }
        return JournalSettlement.inFlight(unfinished)
    }
}
