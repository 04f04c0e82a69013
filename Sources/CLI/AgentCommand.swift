import Agent
import ArgumentParser
import Attestation
import ControlPlane
import Crypto
import Encoding
import Foundation
import Logging
import ProviderSupport
import Registration
import ServiceLifecycle
import Spec
import UnixSignals

/// `devopsdefender agent`
struct AgentCommand: AsyncParsableCommand, LoggingConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the agent on a fleet VM: register with the control plane, run the tunnel connector, heartbeat.",
        discussion: """
            Configuration comes from flags, then the environment (DD_REGISTER_URL, DD_VM_NAME, \
            DD_CP_POLICY), then the GCE metadata server: the `ee-config` attribute the VM booted \
            with (its devopsdefender workload's DD_REGISTER_URL, DD_VM_NAME and DD_CP_POLICY) \
            and the instance id. The control plane must prove its measurements too: its quote \
            must meet --fleet FILE's attestation policy, else the MRTDs of --cp-mrtd, else \
            DD_CP_POLICY (the fleet's attestation.policy as JSON, which the boot config the \
            reconciler renders carries). A fleet VM therefore needs no flags but its connector.

            Every phase of a registration attempt has a deadline: the TCP connect and the \
            WebSocket upgrade 10 s each, each handshake message 45 s, each heartbeat \
            acknowledgement 30 s (--phase-timeout sets them all). A failed or timed-out attempt \
            is retried with exponential backoff capped at --max-backoff (60 s): HTTP errors at \
            the register URL, a control plane that fails attestation, malformed messages and \
            silent peers never stop the agent. Only a refusal inside the attested channel from \
            a control plane that passed attestation (other than the retryable ones, such as \
            already-registered) stops it (exit 1). Local /health serves JSON on \
            --health-listen, with the attempt's phase and the last error. SIGTERM or SIGINT \
            stops it within seconds in every state.

            Example (a local fleet):
              devopsdefender agent --fleet fleet.yaml --register-url ws://127.0.0.1:8080/register \\
                --vm-name dd-production-web-0-de1ea041 --instance-id 1001 \\
                --quote-source simulated --sim-authority sim/authority.json --trust-simulated \\
                --connector emulator --connector-emulator http://127.0.0.1:8787
            """
    )

    enum ConnectorKind: String, ExpressibleByArgument, CaseIterable {
        case cloudflared
        case emulator
        case none
    }

    @Option(help: ArgumentHelp("The fleet file whose attestation policy the control plane must meet.", valueName: "file"))
    var fleet: String?

    @Option(help: ArgumentHelp("An MRTD the control plane may have (96 hex; repeatable), instead of --fleet.", valueName: "hex"))
    var cpMrtd: [String] = []

    @Option(help: ArgumentHelp("The control plane's register URL (ws:// or wss://).", valueName: "url"))
    var registerURL: String?

    @Option(help: ArgumentHelp("This VM's name.", valueName: "name"))
    var vmName: String?

    @Option(help: ArgumentHelp("This VM's instance id.", valueName: "id"))
    var instanceID: String?

    @Option(help: ArgumentHelp("The GCE metadata server (host[:port]).", valueName: "host"))
    var metadataHost = ProcessEnvironment.current()["GCE_METADATA_HOST"] ?? "metadata.google.internal"

    @Option(help: ArgumentHelp("Seconds between heartbeats.", valueName: "seconds"))
    var heartbeat = 10

    @Option(help: ArgumentHelp("The longest pause between registration attempts.", valueName: "seconds"))
    var maxBackoff = 60

    @Option(
        help: ArgumentHelp(
            "One deadline for every phase of an attempt (connect, upgrade, each handshake message, each heartbeat acknowledgement).",
            valueName: "seconds"
        )
    )
    var phaseTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "Where to serve the agent's own HTTP (/health): port 8080 is where the VM's tunnel sends its hostname (port 0 picks a free one).",
            valueName: "host:port"
        )
    )
    var healthListen = "127.0.0.1:8080"

    @Option(help: "The tunnel connector: cloudflared, emulator (the local fleet's stand-in) or none.")
    var connector: ConnectorKind = .cloudflared

    @Option(help: ArgumentHelp("The cloudflared binary.", valueName: "path"))
    var cloudflared = "/usr/local/bin/cloudflared"

    @Option(help: ArgumentHelp("The Cloudflare emulator's base URL, for --connector emulator.", valueName: "url"))
    var connectorEmulator: String?

    @OptionGroup var quotes: QuoteSourceOptions
    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard self.heartbeat > 0 else { throw ValidationError("--heartbeat must be positive") }
        guard self.maxBackoff > 0 else { throw ValidationError("--max-backoff must be positive") }
        if let timeout = self.phaseTimeout, timeout <= 0 { throw ValidationError("--phase-timeout must be positive") }
        guard ControlPlaneCommand.address(self.healthListen) != nil else { throw ValidationError("--health-listen must be host:port") }
        if self.connector == .emulator && self.connectorEmulator == nil {
            throw ValidationError("--connector emulator needs --connector-emulator URL (the Cloudflare emulator's base URL)")
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func run() async throws {
        let logger = Logger(label: "devopsdefender.agent")
        let http = HTTPTransport(timeout: .seconds(10))
        let ports = ConnectorPorts()
        let service: AgentService<ContinuousClock>
        do {
            service = try await self.agentService(http: http, ports: ports, logger: logger)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
        guard let health = ControlPlaneCommand.address(self.healthListen) else { throw ExitCode(1) }
        let healthServer = AgentHealthServer.application(status: service.status, host: health.host, port: health.port, logger: logger) { port in
            // The agent's own HTTP is what its tunnel's service port reaches.
            ports.map(FleetExpander.servicePort, to: port)
            Terminal.standardError.write("agent health on \(health.host):\(port)/health\n")
        }
        var configuration = ServiceGroupConfiguration(
            services: [
                .init(service: healthServer),
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // A shutdown that is still waiting (a /health client holding its connection) becomes a cancellation.
        configuration.maximumGracefulShutdownDuration = .seconds(3)
        // A quote blocked in the kernel (configfs-tsm) cannot be cancelled: past this the
        // process ends anyway (ServiceLifecycle traps), so SIGTERM is bounded in every state.
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    /// The agent's service, for the ``identity(http:)`` this VM has: its registration client,
    /// tunnel connector and status.
    private func agentService(http: HTTPTransport, ports: ConnectorPorts, logger: Logger) async throws -> AgentService<ContinuousClock> {
        let identity = try await self.identity(http: http)
        let status = AgentStatus(vm: identity.vmName)
        let client = try self.registrationClient(for: identity, logger: logger)
        var service = AgentService(
            client: client,
            connector: self.tunnelConnector(ports: ports),
            status: status,
            heartbeatInterval: .seconds(self.heartbeat),
            http: http,
            clock: ContinuousClock(),
            logger: logger
        )
        service.maximumBackoff = .seconds(self.maxBackoff)
        return service
    }

    /// The registration client for `identity`: a fresh Noise static key, this VM's quotes, and
    /// the control plane's hello checked against the control-plane policy.
    private func registrationClient(for identity: Identity, logger: Logger) throws -> RegistrationClient {
        let policy = identity.controlPlanePolicy
        return RegistrationClient(
            url: identity.registerURL,
            staticKey: Curve25519.KeyAgreement.PrivateKey(),
            quotes: AbandonableQuotes(try self.quotes.source(meeting: policy)),
            identity: .init(
                vmName: identity.vmName,
                instanceID: identity.instanceID,
                specGeneration: ResourceNaming.generation(of: identity.vmName) ?? ""
            ),
            controlPlane: ControlPlaneHelloVerifier(
                quoteVerifier: QuoteVerifier(configuration: .init(trustAnchor: try self.quotes.trustAnchor(), cache: VerificationCache())),
                policy: policy,
                collateral: try self.quotes.collateral(url: identity.pccs, http: HTTPTransport(timeout: .seconds(10)), logger: logger)
            ),
            logger: logger,
            deadlines: self.phaseTimeout.map { RegistrationDeadlines(all: .seconds($0)) } ?? RegistrationDeadlines()
        )
    }

    /// The tunnel connector --connector names (the stand-in reports `ports` to the emulator).
    private func tunnelConnector(ports: ConnectorPorts) -> TunnelConnector {
        switch self.connector {
        case .cloudflared: .cloudflared(path: self.cloudflared, metricsPort: 20_241)
        case .emulator: .emulator(adminBaseURL: self.connectorEmulator ?? "", ports: ports)
        case .none: .none
        }
    }

    /// The policy the control plane's quote must meet when given by flags: --fleet, else
    /// --cp-mrtd; nil when neither is given.
    func flaggedControlPlanePolicy() throws -> AttestationPolicy? {
        if let fleet = self.fleet {
            do {
                return AttestationPolicy(spec: try LoadedFleet.resolve(fleet, options: self.input).1.spec.attestation)
            } catch {
                Terminal.standardError.write(error.message)
                throw Failure(description: "\(fleet) cannot give the control plane's policy (run devopsdefender validate \(fleet))")
            }
        }
        guard !self.cpMrtd.isEmpty else { return nil }
        let measurements = try self.cpMrtd.map { text -> [UInt8] in
            guard let bytes = Hex.decode(text), bytes.count == 48 else { throw Failure(description: "--cp-mrtd must be 96 hex characters") }
            return bytes
        }
        return AttestationPolicy(allowedMRTD: Set(measurements))
    }

    struct Identity {
        var registerURL: String
        var vmName: String
        var instanceID: String
        var controlPlanePolicy: AttestationPolicy
        /// The PCCS the control plane's collateral comes from: --pccs or DD_PCCS_URL, else the
        /// ee-config's DD_PCCS_URL (the fleet's `attestation.pccs`).
        var pccs: String?
    }

    /// Flags, then environment, then the metadata server (asked only for what is still missing).
    func identity(http: any HTTPSending) async throws -> Identity {
        let environment = BootEnvironment(variables: ProcessEnvironment.current().variables)
        var registerURL = self.registerURL ?? environment[.registerURL]
        var vmName = self.vmName ?? environment[.vmName]
        var instanceID = self.instanceID
        var pccs = self.quotes.pccs
        let flaggedPolicy = try self.flaggedControlPlanePolicy()
        var policyText = environment[.controlPlanePolicy].map { (text: $0, source: "the DD_CP_POLICY environment variable") }
        let needsPolicy = flaggedPolicy == nil && policyText == nil
        if registerURL == nil || vmName == nil || instanceID == nil || needsPolicy {
            let metadata = MetadataClient(host: self.metadataHost, http: http)
            do {
                if registerURL == nil || vmName == nil || needsPolicy {
                    let variables = try await metadata.eeConfigVariables()
                    registerURL = registerURL ?? variables[.registerURL]
                    vmName = vmName ?? variables[.vmName]
                    pccs = pccs ?? variables[.pccs]
                    if needsPolicy {
                        policyText = variables[.controlPlanePolicy].map { (text: $0, source: "DD_CP_POLICY in the ee-config metadata") }
                    }
                }
                if instanceID == nil { instanceID = try await metadata.get("instance/id") }
            } catch {
                let missing = [
                    registerURL == nil ? "--register-url" : nil, vmName == nil ? "--vm-name" : nil,
                    instanceID == nil ? "--instance-id" : nil, needsPolicy ? "--fleet or --cp-mrtd (or DD_CP_POLICY)" : nil,
                ].compactMap { $0 }
                throw Failure(
                    description:
                        "not on a fleet VM? The metadata server \(self.metadataHost) could not supply the configuration (\(error)); pass \(missing.joined(separator: ", "))"
                )
            }
        }
        guard let registerURL, let vmName, let instanceID else {
            throw Failure(description: "no register URL or VM name: pass --register-url and --vm-name, or run on a fleet VM")
        }
        do {
            _ = try RegistrationEndpoint(registerURL)
        } catch {
            throw Failure(description: "\(error) (from --register-url, DD_REGISTER_URL or the ee-config metadata)")
        }
        let policy: AttestationPolicy
        if let flaggedPolicy {
            policy = flaggedPolicy
        } else if let policyText {
            policy = AttestationPolicy(spec: try AttestationPolicySpec.parse(policyText.text, source: policyText.source))
        } else {
            throw Failure(
                description:
                    "the agent must know what the control plane may run: pass --fleet FILE or --cp-mrtd HEX, or set DD_CP_POLICY (the fleet's attestation.policy as JSON, or base64url of it)"
            )
        }
        return Identity(registerURL: registerURL, vmName: vmName, instanceID: instanceID, controlPlanePolicy: policy, pccs: pccs)
    }
}
