import ArgumentParser
import ControlPlane
import Daemon
import FleetSource
import Foundation
import Logging
import Reconciler
import SQLiteStore
import ServiceLifecycle
import SourceVerification
import Synchronization

extension ControlPlaneCommand {
    /// The daemon: one loop for --env over the fleet file from git or disk, the registration it
    /// keeps in step with each accepted revision, and the routes that show and steer it.
    func runDaemon(logger: Logger) async throws {
        _ = try self.quotes.authority()
        _ = try self.quotes.trustAnchor()
        let adminToken = try DaemonOptions.secret(self.daemon.adminTokenFile, flag: "--admin-token-file")
        let webhookSecret = try self.daemon.webhookSecret(.current())
        let path = self.journalPath
        let lock = try Self.lockJournal(path)
        defer { withExtendedLifetime(lock) {} }
        let loader = FleetRevisionLoader(environment: self.env, file: self.file ?? self.daemon.path, previews: self.daemon.settings.previews)
        let source = try await self.desiredStateSource(loader: loader)
        let journal = try await self.openJournal(path, writer: .reconciler)
        let waker = LoopWaker()
        let factory = try await self.registrationFactory(
            journal: try await self.openJournal(path, writer: .registration),
            logger: logger,
            onRegistration: { _ in waker.wake(.registry) }
        )
        let slot = RegistrationSlot<ContinuousClock>()
        let runtime = ControlPlaneRuntime(
            configuration: .init(
                endpoints: self.endpoints,
                environment: .current(),
                settings: self.daemon.settings,
                ingressChecks: self.daemon.ingressChecksPerPass
            ),
            loader: loader,
            factory: factory,
            slot: slot,
            journal: journal,
            logger: logger
        )
        let loop = EnvironmentLoop(
            environment: self.env,
            source: source,
            pass: runtime,
            revisions: journal,
            schedule: ScheduleConfiguration(resyncInterval: .seconds(self.daemon.interval)),
            clock: ContinuousClock(),
            now: { Int64(Date().timeIntervalSince1970) },
            logger: logger,
            onAccepted: { await runtime.accept($0) }
        )
        waker.set(loop)
        let routes = DaemonRoutes(
            environments: [loop],
            source: source.description,
            webhook: webhookSecret.map { WebhookSignatureVerifier(secret: $0) },
            adminToken: adminToken,
            now: { Int64(Date().timeIntervalSince1970) }
        )
        let staleWatch = StaleAgentWatch(registry: factory.shared.registry) { vms in
            logger.info("agents turned stale", metadata: ["vms": "\(vms.sorted().joined(separator: ","))"])
            waker.wake(.agentStale)
        }
        try await self.serve(slot: slot, daemon: routes, services: [loop, staleWatch], logger: logger)
    }

    /// The fleet repository under the revision policy, or the fleet file re-read each pass.
    func desiredStateSource(loader: FleetRevisionLoader) async throws -> any DesiredStateSource {
        guard let repo = self.daemon.repo else { return FileDesiredState(file: self.file ?? "", loader: loader.loader) }
        let token = try DaemonOptions.secret(self.daemon.repoTokenFile, flag: "--repo-token-file")
        var configuration = GitSourceLibGit2.Configuration(
            url: Self.absoluteIfLocal(repo),
            cacheDirectory: Self.absoluteIfLocal((self.daemon.stateDir as NSString).appendingPathComponent("repository")),
            branch: self.daemon.branch,
            token: token.map(AccessToken.init)
        )
        if let caFile = self.daemon.repoCaFile { configuration.caFile = caFile }
        let git: GitSourceLibGit2
        do {
            git = try GitSourceLibGit2(configuration: configuration)
        } catch {
            throw ValidationError("--repo: \(error.message)")
        }
        try await Self.probe(git, path: self.daemon.path, branch: self.daemon.branch, repo: repo)
        return GitDesiredState(
            git: git,
            description: SourceDescription(url: repo, branch: self.daemon.branch, path: self.daemon.path),
            verifier: try self.daemon.allowedSigners.map { try SSHCommitVerifier(allowedSignersFile: $0) },
            loader: loader.loader
        )
    }

    /// Looks at the repository once before starting: a branch or a fleet file that is not there
    /// is a mistake in the flags (one line, exit 1); a repository that cannot be reached now is
    /// retried by the loop, and the status says why.
    static func probe(_ git: GitSourceLibGit2, path: String, branch: String, repo: String) async throws {
        do {
            let head = try await git.fetch()
            guard try await git.file(path, at: head) != nil else {
                throw ValidationError("\(repo) has no \(path) on branch \(branch) (at \(head.short)); give the right --path or --branch")
            }
        } catch let error as GitSourceError where error.code == .branchNotFound || error.code == .invalidConfiguration {
            throw ValidationError("--repo \(repo): \(error.message)")
        } catch let error as GitSourceError {
            Terminal.standardError.write("warning: cannot read \(repo) now (\(error.message)); retrying — see GET /status\n")
        }
    }

    /// A relative local path made absolute (libgit2 wants one, and the daemon keeps it as the
    /// working directory changes nothing); URLs as given.
    static func absoluteIfLocal(_ repo: String) -> String {
        guard !repo.contains("://"), !repo.hasPrefix("/") else { return repo }
        return URL(fileURLWithPath: repo).standardizedFileURL.path
    }

    /// One writer per journal: the daemon holds the lock `apply` takes, for its whole life.
    static func lockJournal(_ path: String) throws -> ApplyLock {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        do {
            return try ApplyLock.acquire(journal: path)
        } catch let held as ApplyLock.Held {
            throw ValidationError(
                "another apply or control plane reconciles with the journal \(held.path); stop it, or give this one its own --state-dir or --journal"
            )
        }
    }
}

/// Lets the agent registry, made before the loop, wake it.
final class LoopWaker: Sendable {
    private let loop = Mutex<(any EnvironmentControl)?>(nil)

    func set(_ loop: any EnvironmentControl) { self.loop.withLock { $0 = loop } }

    func wake(_ reason: WakeReason) { self.loop.withLock { $0 }?.wake(reason) }
}
