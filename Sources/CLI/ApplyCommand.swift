import ArgumentParser
import Foundation
import Reconciler
import Spec

#if canImport(Glibc)
import Glibc
#endif

/// `devopsdefender apply FILE|PLAN`
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Converge GCE and Cloudflare to the fleet file (or to a plan saved with `plan --out`).",
        discussion: """
            Observes, plans (exactly as `plan` does), shows the plan, and after approval runs its \
            actions as a DAG: each starts when what it depends on has finished, at most \
            --concurrency at once, paced by the providers' rate limiters and retried by class. \
            Before every mutation an intent (deterministic name + idempotency key) goes to a \
            SQLite journal; after a crash or Ctrl-C the next apply resumes those intents instead \
            of creating twins.

            Given a saved plan, apply re-reads the spec and observes again, and refuses (exit 3) \
            when either changed since the plan was made.

            Examples:
              devopsdefender apply fleet.yaml                  (asks for approval on a terminal)
              devopsdefender apply fleet.yaml --auto-approve   (CI)
              devopsdefender plan fleet.yaml --out plan.json && devopsdefender apply plan.json

            Exit codes: 0 converged (or nothing to do), 1 error or some action failed, 3 refused \
            by policy or a stale saved plan.
            """
    )

    @Argument(help: ArgumentHelp("The fleet file, or a plan saved with `plan --out`.", valueName: "file-or-plan"))
    var file: String

    @Flag(help: "Apply without asking (required when standard input is not a terminal).")
    var autoApprove = false

    @Option(help: ArgumentHelp("Actions in flight at once.", valueName: "n"))
    var concurrency: Int = 8

    @OptionGroup var reconcile: ReconcileOptions
    @OptionGroup var endpoints: CloudEndpointOptions
    @OptionGroup var input: FleetInputOptions

    func validate() throws {
        guard (1...256).contains(self.concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
    }

    func run() async throws {
        var saved: SavedPlan?
        if SavedPlan.looksLikePlan(self.file) {
            do {
                saved = try SavedPlan.read(self.file)
            } catch {
                Terminal.standardError.write("error: \(error)\n")
                throw ExitCode(1)
            }
        }
        let settings = saved?.settings ?? self.reconcile.settings
        let session: FleetSession
        do {
            session = try FleetSession.open(
                file: saved?.file ?? self.file,
                input: self.input,
                endpoints: self.endpoints,
                previews: settings.previews
            )
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(error.exitCode)
        }
        let journal: SQLiteJournal
        let lock: ApplyLock
        do {
            journal = try Self.openJournal(self.reconcile.journalPath)
            lock = try ApplyLock.acquire(journal: self.reconcile.journalPath)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }

        defer { withExtendedLifetime(lock) {} }
        let observed = await session.observe(
            controlPlane: self.reconcile.controlPlaneURL,
            ingressCache: journal,
            ingressChecks: self.reconcile.ingressChecks
        )
        do {
            // Holding the lock, every pending intent is an interrupted run's.
            let unfinished = try journal.unfinished()
            let settled = JournalSettlement.settle(unfinished, observed: observed)
            for intent in settled { try journal.finish(actionID: intent.actionID, state: .done, now: FleetSession.now()) }
            if !unfinished.isEmpty {
                Terminal.standardError.write(
                    "Journal: \(unfinished.count) intent(s) left by an interrupted apply; \(settled.count) settled, \(unfinished.count - settled.count) to resume under their original idempotency keys.\n"
                )
            }
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
        let plan = session.plan(observed, settings: settings, inFlight: [])

        if let saved {
            var stale: [String] = []
            if saved.specDigest != session.specDigest { stale.append("the spec \(saved.file) changed") }
            if saved.observedDigest != observed.digest { stale.append("the observed state of the clouds changed") }
            if saved.actionIDs != plan.actions.map(\.id) { stale.append("the actions it would take differ") }
            if !stale.isEmpty {
                Terminal.standardError.write(
                    "Refused: the saved plan \(self.file) is stale — \(stale.joined(separator: "; ")) since it was made. Run `devopsdefender plan \(saved.file) --out \(self.file)` again and review it.\n"
                )
                throw ExitCode(3)
            }
        }
        Terminal.standardOutput.write(PlanTextRenderer(useColor: Terminal.standardOutput.supportsColor).render(plan))
        if plan.isRefused { throw ExitCode(3) }
        if plan.isEmpty {
            try Self.notConvergedIfWithheld(plan)
            return
        }
        if saved == nil && !self.autoApprove {
            guard isatty(0) == 1 else {
                Terminal.standardError.write(
                    "error: refusing to apply without approval: standard input is not a terminal. Pass --auto-approve, or apply a plan saved with `plan --out`.\n"
                )
                throw ExitCode(1)
            }
            Terminal.standardOutput.write("\nApply these changes? Only 'yes' is accepted: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                Terminal.standardOutput.write("Apply cancelled; nothing was changed.\n")
                throw ExitCode(1)
            }
            // The answer may have come long after the observation: never act on a stale view.
            if FleetSession.now() - observed.observedAt > PlannerOptions().maximumSnapshotAge {
                let fresh = await session.observe(
                    controlPlane: self.reconcile.controlPlaneURL,
                    ingressCache: journal,
                    ingressChecks: self.reconcile.ingressChecks
                )
                guard session.plan(fresh, settings: settings, inFlight: []).actions.map(\.id) == plan.actions.map(\.id),
                    fresh.digest == observed.digest
                else {
                    Terminal.standardError.write("Refused: the clouds changed while waiting for approval; nothing was changed. Run apply again.\n")
                    throw ExitCode(3)
                }
            }
        }

        let printer = ApplyProgressPrinter(total: plan.actions.count, live: Terminal.standardOutput.supportsColor)
        Terminal.standardOutput.write("\n")
        var executor = Executor(
            compute: session.compute,
            tunnels: session.edge,
            dns: session.edge,
            journal: journal,
            clock: ContinuousClock(),
            now: FleetSession.now,
            configuration: {
                var configuration = ExecutorConfiguration()
                configuration.maxConcurrency = self.concurrency
                return configuration
            }(),
            checkpoint: CrashPoint.fromEnvironment()
        )
        executor.ingressCache = journal
        let report = await executor.apply(plan, observed: observed) { printer.handle($0) }
        printer.finish()
        let adopted = report.finished.values.filter { $0 == .adopted }.count
        Terminal.standardOutput.write(
            "\nApply \(report.succeeded ? "complete" : "incomplete"): \(report.finished.count) done (\(adopted) already in place), \(report.failed.count) failed, \(report.skipped.count) skipped; \(session.apiCalls) API calls.\n"
        )
        if !report.succeeded {
            for (id, message) in report.failed.sorted(by: { $0.key < $1.key }) { Terminal.standardError.write("failed: \(id): \(message)\n") }
            Terminal.standardError.write("Run apply again to retry; the journal resumes what was started.\n")
            throw ExitCode(1)
        }
        // The observation was complete: an intent still pending that this plan did not need is
        // obsolete (its object exists, is gone, or is no longer wanted).
        if observed.isComplete {
            let planned = Set(plan.actions.map(\.id))
            for intent in (try? journal.unfinished()) ?? [] where !planned.contains(intent.actionID) {
                try? journal.finish(actionID: intent.actionID, state: .done, now: FleetSession.now())
            }
        }
        try Self.notConvergedIfWithheld(plan)
    }

    /// Exit 1 when the plan withheld actions (a partial or stale observation).
    static func notConvergedIfWithheld(_ plan: Plan) throws {
        guard !plan.withheldDeletions.isEmpty else { return }
        Terminal.standardError.write(
            "Not converged: \(plan.withheldDeletions.count) action(s) were withheld (see the warning above); run apply again once the observation is complete and fresh.\n"
        )
        throw ExitCode(1)
    }

    static func openJournal(_ path: String) throws -> SQLiteJournal {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        return try SQLiteJournal(path: path)
    }
}

/// A test hook: with `DD_CRASH_AT_CHECKPOINT=N` the process ends abruptly (as if killed) at the
/// N-th checkpoint of the executor — after an intent is written, or after a call returned but
/// before the journal recorded it. The crash tests use it to stop apply at chosen points.
enum CrashPoint {
    static func fromEnvironment() -> @Sendable (String, String) -> Void {
        guard let value = ProcessInfo.processInfo.environment["DD_CRASH_AT_CHECKPOINT"], let limit = Int(value), limit > 0 else {
            return { _, _ in }
        }
        let counter = CheckpointCounter()
        return { point, action in
            if counter.increment() == limit {
                Terminal.standardError.write("crash: stopping at checkpoint \(limit) (\(point), \(action))\n")
                _exit(137)
            }
        }
    }
}
