import ArgumentParser
import Daemon
import Foundation
import Reconciler

/// `devopsdefender wait --control-plane URL --revision SHA`
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until a control plane's environment is Ready at a revision (for CI).",
        discussion: """
            Polls GET /status. Exit code 0 once the environment (every environment, without \
            --env) is Ready with that revision applied and a pass finished at it; 1 as soon as it \
            is Stalled (a force-push awaiting approval, an unsigned commit, a refused plan) or \
            the revision's fleet file is missing or invalid; 124 \
            when --timeout passes first; 2 on bad arguments. An unreachable control plane is \
            retried until the timeout.

            Example (after a push, in CI):
              devopsdefender wait --control-plane https://cp.example.com --revision "$GITHUB_SHA" --env production --timeout 600
            """
    )

    @Option(help: ArgumentHelp("The control plane (default: DD_CONTROL_PLANE_URL).", valueName: "url"))
    var controlPlane: String?

    @Option(help: ArgumentHelp("The commit (40 hex digits) that must be applied.", valueName: "sha"))
    var revision: String

    @Option(help: ArgumentHelp("The environment to wait for (default: every one the control plane reconciles).", valueName: "name"))
    var env: String?

    @Option(help: ArgumentHelp("Give up after this many seconds (exit code 124).", valueName: "seconds"))
    var timeout = 600

    @Option(help: ArgumentHelp("Seconds between looks.", valueName: "seconds"))
    var poll = 2

    func validate() throws {
        guard Revision(self.revision) != nil else { throw ValidationError("--revision must be a full 40-hex-digit commit id") }
        guard self.timeout > 0, self.poll > 0 else { throw ValidationError("--timeout and --poll must be positive") }
    }

    func run() async throws {
        let client = try ControlPlaneClient(flag: self.controlPlane, environment: .current())
        guard let revision = Revision(self.revision) else { throw ExitCode(2) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(self.timeout))
        var lastNote = ""
        while clock.now < deadline {
            let note: String
            do {
                let document = try await client.status().document
                switch try WaitVerdict(document, revision: revision, environment: self.env) {
                case .ready: self.finish("ready at \(revision.short)", code: 0)
                case .stalled(let why): self.finish("stalled: \(why)", code: 1)
                case .pending(let why): note = why
                }
            } catch let failure as ControlPlaneClient.Failure {
                note = failure.description
            }
            if note != lastNote { Terminal.standardError.write("waiting: \(note)\n") }
            lastNote = note
            try await clock.sleep(for: .seconds(self.poll))
        }
        self.finish("timed out after \(self.timeout) s: \(lastNote)", code: 124)
    }

    private func finish(_ message: String, code: Int32) -> Never {
        Terminal.standardError.write("\(message)\n")
        Foundation.exit(code)
    }
}

/// What a status document says about waiting for a revision.
enum WaitVerdict: Equatable {
    case ready
    case stalled(String)
    case pending(String)

    init(_ document: StatusDocument, revision: Revision, environment: String?) throws {
        let environments = document.environments.filter { environment == nil || $0.name == environment }
        guard !environments.isEmpty else {
            let names = document.environments.map(\.name).joined(separator: ", ")
            throw ValidationError("the control plane does not reconcile \(environment ?? "any environment") (it reconciles \(names))")
        }
        if let stalled = environments.first(where: { Self.isStalled($0, at: revision) }) {
            self = .stalled("\(stalled.name): \(stalled.conditions[.stalled].reason): \(stalled.conditions[.stalled].message)")
        } else if let refused = environments.first(where: { Self.isRefused($0, revision) }) {
            self = .stalled("\(refused.name): \(refused.conditions[.sourceReady].reason): \(refused.conditions[.sourceReady].message)")
        } else if let pending = environments.first(where: { !Self.isReady($0, at: revision) }) {
            self = .pending("\(pending.name) is at \(pending.appliedRevision?.short ?? "no revision"), \(pending.conditions[.ready].reason)")
        } else {
            self = .ready
        }
    }

    /// Stalled on `revision` itself — its head refused (`NonFastForward`, `Unverified`) or its plan
    /// refused at it. A stall on an older head says nothing yet about `revision`: the daemon
    /// may not have seen it.
    static func isStalled(_ environment: EnvironmentStatus, at revision: Revision) -> Bool {
        environment.conditions.isTrue(.stalled) && (environment.observedRevision == revision || environment.appliedRevision == revision)
    }

    /// The source judged `revision` itself unusable (its fleet file is missing or invalid): it
    /// will never be applied, only a later commit can fix it.
    static func isRefused(_ environment: EnvironmentStatus, _ revision: Revision) -> Bool {
        let source = environment.conditions[.sourceReady]
        return environment.observedRevision == revision && source.status == .false && ["InvalidSpec", "FileMissing"].contains(source.reason)
    }

    static func isReady(_ environment: EnvironmentStatus, at revision: Revision) -> Bool {
        environment.appliedRevision == revision && environment.lastPass?.revision == revision.hex && environment.conditions.isTrue(.ready)
    }
}
