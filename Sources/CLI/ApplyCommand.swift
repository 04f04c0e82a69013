import ArgumentParser
import Foundation
import Logging
import Reconciler
import SQLiteStore
import Spec

#if canImport(Glibc)
import Glibc
#endif

/// `devopsdefender apply FILE|PLAN`
struct ApplyCommand: AsyncParsableCommand, LoggingConfigurable {
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

            Given a saved plan, apply re-reads the spec and observes again with the plan's own \
            settings, and refuses (exit 3) when the spec, the observation or the actions changed \
            since the plan was made. When the approval at a terminal takes longer than the \
            snapshot age (300 s), apply observes again and refuses if anything changed.

            Examples:
              devopsdefender apply fleet.yaml                  (asks for approval on a terminal)
              devopsdefender apply fleet.yaml --auto-approve   (CI)
              devopsdefender plan fleet.yaml --out plan.json && devopsdefender apply plan.json

            Exit codes: 0 converged (or nothing to do), 1 error (a source that cannot be read, \
            an action that failed, actions withheld after a partial observation, the journal \
            locked by another apply), 3 refused by policy or a stale saved plan.
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
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...256).contains(self.concurrency) else { throw ValidationError("--concurrency must be between 1 and 256") }
    }

    func run() async throws {
        let saved = try self.savedPlan()
        var settings = saved?.inputs.settings ?? self.reconcile.settings
        let environment = ProcessEnvironment.current()
        let session: FleetSession
        do {
            session = try FleetSession.open(
                file: saved?.inputs.file ?? self.file,
                input: self.input,
                endpoints: self.endpoints,
                previews: settings.previews,
                only: saved.map { Self.soleEnvironment(of: $0.inputs.settings.environmentScope) } ?? self.reconcile.onlyEnvironment,
                expectedDigest: saved?.inputs.specDigest,
                environment: environment,
                logger: Logger(label: "devopsdefender.apply")
            )
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(error.exitCode)
        }
        if saved == nil { settings.environmentScope = session.scope }
        let approval = try self.approval(saved: saved)
        let (journal, lock) = try await Self.openLocked(self.reconcile.journalPath(environment))
        defer { withExtendedLifetime(lock) {} }
        let cycle = session.cycle(
            journal: journal,
            controlPlane: self.reconcile.controlPlaneURL(environment),
            ingressChecks: self.reconcile.ingressChecks,
            executor: {
                var configuration = ExecutorConfiguration()
                configuration.maxConcurrency = self.concurrency
                return configuration
            }(),
            checkpoint: CrashPoint.fromEnvironment()
        )
        let console = ApplyConsole(live: Terminal.standardOutput.supportsColor)
        let outcome: CycleOutcome
        do {
            outcome = try await cycle.reconcileOnce(settings: settings, approval: approval) { console.handle($0) }
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
        try console.finish(outcome, savedPlan: saved.map { (self.file, $0.inputs.file) }, apiCalls: session.apiCalls)
    }

    /// The saved plan `file` names, if it is one.
    func savedPlan() throws -> SavedPlan? {
        do {
            return try SavedPlan.load(self.file)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// A saved plan applies only unchanged; otherwise `--auto-approve`, or a person at a terminal.
    func approval(saved: SavedPlan?) throws -> ApprovalPolicy {
        if let saved { return .refuseIfChanged(inputs: saved.inputs, actions: saved.actionIDs) }
        if self.autoApprove { return .automatic }
        guard isatty(0) == 1 else {
            Terminal.standardError.write(
                "error: refusing to apply without approval: standard input is not a terminal. Pass --auto-approve, or apply a plan saved with `plan --out`.\n"
            )
            throw ExitCode(1)
        }
        return .interactive { _ in
            Terminal.standardOutput.write("\nApply these changes? Only 'yes' is accepted: ")
            return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
        }
    }

    /// The environment a saved plan was scoped to with `--env`, if it was.
    static func soleEnvironment(of scope: EnvironmentScope) -> String? {
        guard case .only(let environments, _) = scope, environments.count == 1 else { return nil }
        return environments.first
    }

    /// Takes the journal's lock, then opens (creating or upgrading) the journal: one apply at a
    /// time per journal, and never an upgrade under a running apply.
    static func openLocked(_ path: String) async throws -> (SQLiteJournal, ApplyLock) {
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let lock = try ApplyLock.acquire(journal: path)
            return (try await SQLiteJournal(path: path, writer: .reconciler), lock)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }
}

/// A test hook: with `DD_CRASH_AT_CHECKPOINT=N` the process ends abruptly (as if killed) at the
/// N-th checkpoint of the executor — after an intent is written, or after a call returned but
/// before the journal recorded it. The crash tests use it to stop apply at chosen points.
enum CrashPoint {
    static func fromEnvironment() -> @Sendable (String, String) -> Void {
        guard let value = ProcessEnvironment.current()["DD_CRASH_AT_CHECKPOINT"], let limit = Int(value), limit > 0 else {
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
