import ArgumentParser
import Reconciler
import Synchronization

/// What `apply` shows of a cycle: the journal's settlement, the plan, live progress, and at the
/// end a summary and the exit code for the outcome.
final class ApplyConsole: Sendable {
    private let live: Bool
    private let printer = Mutex<ApplyProgressPrinter?>(nil)
    private let total = Mutex(0)

    init(live: Bool) { self.live = live }

    /// Shows one event of the cycle.
    func handle(_ event: CycleEvent) {
        switch event {
        case .journalSettled(let pending, let settled):
            Terminal.standardError.write(
                "Journal: \(pending) intent(s) left by an interrupted apply; \(settled) settled, \(pending - settled) to resume under their original idempotency keys.\n"
            )
        case .planned(let plan, _):
            Terminal.standardOutput.write(PlanTextRenderer(useColor: Terminal.standardOutput.supportsColor).render(plan))
            self.total.withLock { $0 = plan.actions.count }
        case .reobserving:
            Terminal.standardError.write("The approval took a while: observing again before changing anything.\n")
        case .progress(let event):
            self.progressPrinter().handle(event)
        }
    }

    /// The progress printer, started (after a blank line) by the first progress event.
    private func progressPrinter() -> ApplyProgressPrinter {
        self.printer.withLock { printer in
            if let printer { return printer }
            Terminal.standardOutput.write("\n")
            let started = ApplyProgressPrinter(total: self.total.withLock { $0 }, live: self.live)
            printer = started
            return started
        }
    }

    /// Prints how the cycle ended and throws the exit code when it is not 0.
    func finish(_ outcome: CycleOutcome, savedPlan: (path: String, fleet: String)?, apiCalls: Int) throws {
        switch outcome {
        case .unreadable(let sources):
            Terminal.standardError.write(UnreadableReport.render(sources))
            throw ExitCode(1)
        case .refused:
            throw ExitCode(3)
        case .stale(let reasons):
            let (file, fleet) = savedPlan ?? ("plan", "FLEET")
            Terminal.standardError.write(
                "Refused: the saved plan \(file) is stale — \(reasons.joined(separator: "; ")) since it was made. Run `devopsdefender plan \(fleet) --out \(file)` again and review it.\n"
            )
            throw ExitCode(3)
        case .converged(let plan):
            try Self.notConvergedIfWithheld(plan)
        case .declined:
            Terminal.standardOutput.write("Apply cancelled; nothing was changed.\n")
            throw ExitCode(1)
        case .changedDuringApproval:
            Terminal.standardError.write("Refused: the clouds changed while waiting for approval; nothing was changed. Run apply again.\n")
            throw ExitCode(3)
        case .applied(let plan, let report):
            try self.summarize(plan, report, apiCalls: apiCalls)
        }
    }

    private func summarize(_ plan: Plan, _ report: ApplyReport, apiCalls: Int) throws {
        self.printer.withLock { $0 }?.finish()
        let adopted = report.finished.values.filter { $0 == .adopted }.count
        Terminal.standardOutput.write(
            "\nApply \(report.succeeded ? "complete" : "incomplete"): \(report.finished.count) done (\(adopted) already in place), \(report.failed.count) failed, \(report.skipped.count) skipped; \(apiCalls) API calls.\n"
        )
        if !report.succeeded {
            for (id, message) in report.failed.sorted(by: { $0.key < $1.key }) { Terminal.standardError.write("failed: \(id): \(message)\n") }
            Terminal.standardError.write("Run apply again to retry; the journal resumes what was started.\n")
            throw ExitCode(1)
        }
        try Self.notConvergedIfWithheld(plan)
    }

    /// Exit 1 when the plan withheld actions (a partial or stale observation).
    static func notConvergedIfWithheld(_ plan: Plan) throws {
        guard !plan.withheldDeletions.isEmpty else { return }
        Terminal.standardError.write(
            "Not converged: \(plan.withheldDeletions.count) action(s) were withheld — deletions, and creates a partial list could not rule out (see the warning above); run apply again once the observation is complete and fresh.\n"
        )
        throw ExitCode(1)
    }
}
