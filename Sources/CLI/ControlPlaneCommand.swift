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
        abstract: "Run the control plane: attested agent registration, /health and /cp/attest.",
        discussion: """
            Serves, on --listen: the WebSocket GET /register (Noise XX; both sides attest; an \
            accepted agent gets its tunnel, ingress and DNS record and a bootstrap config), \
            GET /health (the agent registry: healthy and stale agents), and GET \
            /cp/attest?nonce=<64 hex> (a fresh quote binding this control plane's Noise key and \
            the nonce). The fleet file gives the attestation policy, the Cloudflare account and \
            zone, and the fleet's name and domain. Stops gracefully on SIGTERM or SIGINT.

            Example (a local fleet):
              devopsdefender attest quote --sim --output-dir sim
              devopsdefender control-plane fleet.yaml --listen 127.0.0.1:8080 \\
                --quote-source simulated --sim-authority sim/authority.json --trust-simulated

            Protocol: docs/registration.md.
            """
    )

    @Argument(help: ArgumentHelp("The fleet file.", valueName: "file"))
    var file: String

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
            "The intent journal registration's tunnel provisioning writes before each Cloudflare call (SQLite; default: DD_JOURNAL, else .devopsdefender/journal.sqlite3 in the working directory).",
            valueName: "path"
        )
    )
    var journal: String?

    @OptionGroup var quotes: QuoteSourceOptions
    @OptionGroup var endpoints: CloudEndpointOptions
    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard self.staleAfter > 0 else { throw ValidationError("--stale-after must be positive") }
        guard self.quoteConcurrency > 0 else { throw ValidationError("--quote-concurrency must be at least 1") }
        guard self.quoteQueue >= 0 else { throw ValidationError("--quote-queue must be 0 or more") }
        guard self.handshakeTimeout > 0 else { throw ValidationError("--handshake-timeout must be positive") }
        guard Self.address(self.listen) != nil else { throw ValidationError("--listen must be host:port, like 0.0.0.0:8080") }
    }

    /// Opens (creating) the journal; registration shares it with `apply`'s executor.
    func openJournal() async throws -> SQLiteJournal {
        let path = ProcessEnvironment.current().journalPath(flag: self.journal)
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        return try await SQLiteJournal(path: path, writer: .registration)
    }

    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        return (String(text[..<colon]), port)
    }

    func run() async throws {
        let (spec, environment) = try self.environmentToServe()
        let logger = Logger(label: "devopsdefender.control-plane")
        let handler: RegistrationHandler<ContinuousClock>
        do {
            handler = try await self.registrationHandler(spec: spec, environment: environment, logger: logger)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
        guard let address = Self.address(self.listen) else { throw ExitCode(1) }
        let portFile = self.portFile
        let server = ControlPlaneServer(
            handler: handler,
            configuration: .init(host: address.host, port: address.port, handshakeTimeout: .seconds(self.handshakeTimeout))
        ) { port in
            if let portFile { try? Data("\(port)\n".utf8).write(to: URL(fileURLWithPath: portFile)) }
            Terminal.standardError.write("control plane listening on \(address.host):\(port) (environment \(self.env))\n")
        }
        let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        do {
            try await group.run()
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// The fleet's spec and this control plane's environment, expanded; prints why and exits 1
    /// when the file is unusable or names no such environment.
    func environmentToServe() throws -> (FleetSpec, DesiredEnvironment) {
        let fleet: ResolvedFleet
        do {
            fleet = try LoadedFleet.resolve(self.file, options: self.input).1
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(1)
        }
        let previews = PreviewNumber(environment: self.env).map { [$0.rawValue] } ?? []
        var diagnostics = DiagnosticCollector(file: self.file)
        guard
            let environment = FleetExpander.expand(fleet, previews: previews, diagnostics: &diagnostics)?.environments.first(where: {
                $0.name == self.env
            })
        else {
            let known = fleet.environments.map(\.name).joined(separator: ", ")
            Terminal.standardError.write("error: environment \(self.env) is not in \(self.file) (environments: \(known); previews are pr-<number>)\n")
            throw ExitCode(1)
        }
        return (fleet.spec, environment)
    }

    /// Registration wired to this process's clients (one per credential), the journal and the
    /// spec's agents: the only VM names that may register here.
    func registrationHandler(spec: FleetSpec, environment: DesiredEnvironment, logger: Logger) async throws -> RegistrationHandler<ContinuousClock> {
        let clients = try ProviderClients.connect(
            spec: spec,
            endpoints: self.endpoints,
            environment: .current(),
            logger: logger,
            includingGCE: self.verifyInstances
        )
        let edge = CloudflareFleetAdapter(client: clients.cloudflare, tokenSource: clients.cloudflareTokenSource)
        let policy = AttestationPolicy(spec: spec.attestation)
        let agentZones = Dictionary(environment.vms.filter { $0.role == .agent }.map { ($0.name, $0.zone) }) { first, _ in first }
        let clock = ContinuousClock()
        var handler = RegistrationHandler(
            staticKey: Curve25519.KeyAgreement.PrivateKey(),
            quotes: try self.quotes.source(meeting: policy),
            verifier: RegistrationVerifier(
                quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: try self.quotes.trustAnchor())),
                policy: policy,
                nonces: NonceRegistry(clock: clock)
            ),
            provisioner: PortTunnelProvisioner(
                tunnels: edge,
                dns: edge,
                token: { [cloudflare = clients.cloudflare] in try await cloudflare.token(id: $0) },
                journal: try await self.openJournal(),
                environment: environment,
                now: { Int64(Date().timeIntervalSince1970) }
            ),
            registry: AgentRegistry(clock: clock, staleAfter: .seconds(self.staleAfter), wallClock: { Int64(Date().timeIntervalSince1970) }),
            commandKey: Curve25519.Signing.PrivateKey().publicKey,
            logger: logger
        )
        handler.admits = { agentZones[$0] != nil }
        handler.instanceCheck = clients.gce.map { gce in
            AgentInstanceCheck(directory: GCEInstanceDirectory(client: gce), fleet: spec.metadata.name, environment: self.env, zones: agentZones)
        }
        handler.quoting = AdmissionGate(limit: self.quoteConcurrency, queueLimit: self.quoteQueue)
        handler.attestQuoting = AdmissionGate(limit: max(1, self.quoteConcurrency / 4), queueLimit: self.quoteQueue / 8)
        return handler
    }
}
