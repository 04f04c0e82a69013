import ArgumentParser
import Attestation
import CloudflareProvider
import ControlPlane
import Crypto
import Foundation
import GCEProvider
import Logging
import ProviderSupport
import Reconciler
import Registration
import SQLiteStore
import ServiceLifecycle
import Spec
import UnixSignals

/// `devopsdefender control-plane FILE`
struct ControlPlaneCommand: AsyncParsableCommand, LoggingConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "control-plane",
        abstract: "Run the control plane: the GitOps daemon for its environment, and attested agent registration.",
        discussion: """
            Keeps --env converged with the fleet file: from a git branch (--repo; a new head is \
            applied only if it fast-forwards from the applied revision and, with \
            --allowed-signers, every new commit is signed), or from FILE, re-read each pass. A \
            pass runs at start, on a verified GitHub push (POST /hooks/github), when an agent \
            registers, and every --interval seconds; each is the reconcile cycle `apply` runs, \
            with its journal and safety rails, and only ever touches --env (and the previews \
            copied from it). A force-push, an unsigned commit or an invalid fleet file never \
            deletes anything: the environment stays on its applied revision (see GET /status).

            Serves, on --listen: GET /status (conditions per environment), GET /plans/ENV (the \
            last plan, as `plan` prints it; ?format=markdown), POST /hooks/github, POST /approve \
            and POST /environments/ENV/suspend|resume (with --admin-token-file), the WebSocket \
            GET /register (Noise XX; both sides attest), GET /health (the agent registry) and GET \
            /cp/attest?nonce=<64 hex>. Stops gracefully on SIGTERM or SIGINT.

            Examples:
              devopsdefender control-plane --repo https://github.com/acme/fleet.git --env production \\
                --repo-token-file /run/secrets/repo-token --webhook-secret-file /run/secrets/hook \\
                --admin-token-file /run/secrets/admin
              devopsdefender control-plane fleet.yaml --env production --no-reconcile \\
                --quote-source simulated --sim-authority sim/authority.json --trust-simulated

            Status format: docs/status.md. Protocol: docs/registration.md.
            """
    )

    @Argument(help: ArgumentHelp("The fleet file, re-read each pass (give it or --repo).", valueName: "file"))
    var file: String?

    @Option(help: "The environment this control plane serves.")
    var env = BootEnvironment(variables: ProcessEnvironment.current().variables)[.environment] ?? "production"

    @Option(help: ArgumentHelp("Address and port to listen on (port 0 picks a free one).", valueName: "host:port"))
    var listen = "0.0.0.0:8080"

    @Option(help: ArgumentHelp("Seconds without a heartbeat before an agent counts as stale.", valueName: "seconds"))
    var staleAfter = 30

    @Option(help: ArgumentHelp("Write the bound port to this file once listening.", valueName: "file"))
    var portFile: String?

    @Option(
        help: ArgumentHelp(
            "Quotes made at once for registrations; callers beyond it wait in --quote-queue. /cp/attest has its own gate, a quarter of this (at least 1).",
            valueName: "count"
        )
    )
    var quoteConcurrency = 8

    @Option(
        help: ArgumentHelp(
            "Registrations that may wait for a quote; beyond it one is closed with 1013 (retry later). /cp/attest: an eighth of this, then 503.",
            valueName: "count"
        )
    )
    var quoteQueue = 256

    @Option(
        help: ArgumentHelp(
            "Seconds a registration may take from connecting to its answer; a connection still handshaking then is closed.",
            valueName: "seconds"
        )
    )
    var handshakeTimeout = 30

    @Option(
        help: ArgumentHelp(
            "Seconds a new connection may take to send its first request head (a registration's upgrade, or a plain request); it is closed then.",
            valueName: "seconds"
        )
    )
    var headerTimeout = 10

    @Option(help: ArgumentHelp("Seconds a kept-alive HTTP connection may sit without a request before it is closed.", valueName: "seconds"))
    var idleTimeout = 60

    @Option(
        help: ArgumentHelp(
            "Connections open at once (default: the descriptor limit less 64, at most 4096). A quarter of them may still be waiting for their first request head; beyond that the oldest such connection is closed, so idle clients cannot crowd out agents.",
            valueName: "count"
        )
    )
    var maxConnections: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds SIGTERM or SIGINT waits for connections and passes to finish before the control plane stops them.",
            valueName: "seconds"
        )
    )
    var shutdownTimeout = 10

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Check each attested agent against GCE: its VM exists in the fleet's project and zone with this fleet's labels, is RUNNING, and has the instance id and spec generation the agent reports.",
            discussion:
                "--no-verify-instances skips the check (a fleet without GCE access); any TD with the right measurements can then claim a VM name."
        )
    )
    var verifyInstances = true

    @Option(
        help: ArgumentHelp(
            "The intent journal registration's tunnel provisioning writes before each Cloudflare call, and the daemon's (SQLite; default: DD_JOURNAL, else journal.sqlite3 in --state-dir).",
            valueName: "path"
        )
    )
    var journal: String?

    @OptionGroup var daemon: DaemonOptions
    @OptionGroup var quotes: QuoteSourceOptions
    @OptionGroup var endpoints: CloudEndpointOptions
    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard self.staleAfter > 0 else { throw ValidationError("--stale-after must be positive") }
        guard self.quoteConcurrency > 0 else { throw ValidationError("--quote-concurrency must be at least 1") }
        guard self.quoteQueue >= 0 else { throw ValidationError("--quote-queue must be 0 or more") }
        guard self.handshakeTimeout > 0 else { throw ValidationError("--handshake-timeout must be positive") }
        guard self.headerTimeout > 0, self.idleTimeout > 0, self.shutdownTimeout > 0 else {
            throw ValidationError("--header-timeout, --idle-timeout and --shutdown-timeout must be positive")
        }
        if let maxConnections, maxConnections < 8 { throw ValidationError("--max-connections must be at least 8") }
        guard Self.address(self.listen) != nil else { throw ValidationError("--listen must be host:port, like 0.0.0.0:8080") }
        switch (self.file, self.daemon.repo) {
        case (nil, nil): throw ValidationError("give the fleet file, or --repo URL to read it from git")
        case (_?, _?): throw ValidationError("give the fleet file or --repo, not both")
        case (nil, _?) where !self.daemon.reconcile: throw ValidationError("--no-reconcile needs the fleet file, not --repo")
        default: break
        }
    }

    /// The journal: --journal, else DD_JOURNAL, else journal.sqlite3 in --state-dir.
    var journalPath: String {
        ProcessEnvironment.current().journalPath(flag: self.journal, stateDirectory: self.daemon.stateDir)
    }

    /// Opens (creating) the journal as `writer`; registration shares it with `apply`'s executor.
    func openJournal(_ path: String, writer: JournalWriter) async throws -> SQLiteJournal {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        return try await SQLiteJournal(path: path, writer: writer)
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        return (String(text[..<colon]), port)
    }

    func run() async throws {
        let logger = Logger(label: "devopsdefender.control-plane")
        MetricsBootstrap.bootstrap()
        do {
            if self.daemon.reconcile {
                try await self.runDaemon(logger: logger)
            } else {
                try await self.runRegistrationOnly(logger: logger)
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// `--no-reconcile`: registration for the fleet file as it is at start (today's form).
    func runRegistrationOnly(logger: Logger) async throws {
        let file = self.file ?? ""
        let (fleet, environment) = try self.environmentToServe(file)
        let clients = try ProviderClients.connect(
            spec: fleet.spec,
            endpoints: self.endpoints,
            environment: .current(),
            logger: logger,
            includingGCE: self.verifyInstances
        )
        let factory = try await self.registrationFactory(journal: try await self.openJournal(self.journalPath, writer: .registration), logger: logger)
        let slot = RegistrationSlot(try factory.handler(spec: fleet.spec, environment: environment, clients: clients))
        try await self.serve(slot: slot, daemon: nil, logger: logger)
    }

    /// The services of one control plane, until SIGTERM or SIGINT.
    func serve(slot: RegistrationSlot<ContinuousClock>, daemon: DaemonRoutes?, services: [any Service] = [], logger: Logger) async throws {
        guard let address = Self.address(self.listen) else { throw ExitCode(1) }
        let portFile = self.portFile
        let env = self.env
        let server = ControlPlaneServer(
            slot: slot,
            logger: logger,
            configuration: .init(
                host: address.host,
                port: address.port,
                handshakeTimeout: .seconds(self.handshakeTimeout),
                connections: self.connectionLimits
            ),
            daemon: daemon,
            metrics: MetricsBootstrap.bootstrap()
        ) { port in
            // Written whole (a temporary file renamed): a reader never sees it empty.
            if let portFile {
                do throws(AtomicFileWriter.Failure) {
                    try AtomicFileWriter.write(Array("\(port)\n".utf8), to: portFile)
                } catch {
                    Terminal.standardError.write("warning: cannot write the port file \(portFile): \(error.reason)\n")
                }
            }
            Terminal.standardError.write("control plane listening on \(address.host):\(port) (environment \(env))\n")
        }
        var configuration = ServiceGroupConfiguration(
            services: [server] + services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        // Past the deadline the services are cancelled; what still does not end then stops the
        // process (ServiceLifecycle traps), so a shutdown never waits for ever.
        configuration.maximumGracefulShutdownDuration = .seconds(self.shutdownTimeout)
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// The connection limits the flags give; the connection cap defaults to the process's
    /// descriptor limit less a reserve.
    var connectionLimits: ConnectionLimits {
        var limits =
            self.maxConnections.map { ConnectionLimits(maxConnections: $0, maxPending: max(4, $0 / 4)) }
            ?? ConnectionLimits.forDescriptorLimit(Self.descriptorLimit())
        limits.headerTimeout = .seconds(self.headerTimeout)
        limits.idleTimeout = .seconds(self.idleTimeout)
        return limits
    }

    /// The soft limit on open descriptors (RLIMIT_NOFILE; unlimited reads as `Int.max`); 1,024
    /// when it cannot be read.
    static func descriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// The fleet file's spec and this control plane's environment, expanded; prints why and
    /// exits 1 when the file is unusable or names no such environment.
    func environmentToServe(_ file: String) throws -> (ResolvedFleet, DesiredEnvironment) {
        let fleet: ResolvedFleet
        do {
            fleet = try LoadedFleet.resolve(file, options: self.input).1
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(1)
        }
        let previews = PreviewNumber(environment: self.env).map { [$0.rawValue] } ?? []
        var diagnostics = DiagnosticCollector(file: file)
        guard
            let environment = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics)?.environments.first(where: {
                $0.name == self.env
            })
        else {
            let known = fleet.environments.map(\.name).joined(separator: ", ")
            Terminal.standardError.write("error: environment \(self.env) is not in \(file) (environments: \(known); previews are pr-<number>)\n")
            throw ExitCode(1)
        }
        return (fleet, environment)
    }

    /// What makes registration handlers: the options, and what every handler shares.
    func registrationFactory(journal: any IntentJournal, logger: Logger, onRegistration: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> RegistrationFactory
    {
        let clock = ContinuousClock()
        let registry = AgentRegistry(
            clock: clock,
            staleAfter: .seconds(self.staleAfter),
            wallClock: { Int64(Date().timeIntervalSince1970) },
            onRegistration: onRegistration
        )
        return RegistrationFactory(
            environment: self.env,
            quotes: self.quotes,
            verifyInstances: self.verifyInstances,
            quoteConcurrency: self.quoteConcurrency,
            quoteQueue: self.quoteQueue,
            shared: .init(
                registry: registry,
                nonces: NonceRegistry(clock: clock),
                journal: journal,
                blocking: BlockingExecutor(threads: RegistrationFactory.blockingThreads(quoteConcurrency: self.quoteConcurrency)),
                collateral: CollateralCaches()
            ),
            logger: logger
        )
    }
}
