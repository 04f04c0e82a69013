import ArgumentParser
import Attestation
import AttestationSimulation
import Emulators
import Encoding
import Foundation
import Logging
import Spec

/// `devopsdefender emulator --gce --cloudflare [--pccs --sim-authority FILE] [--port N]`
struct EmulatorCommand: AsyncParsableCommand, LoggingConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run loopback emulators of the GCE and Cloudflare APIs, for local fleets and for trying the official SDKs.",
        discussion: """
            Serves, on 127.0.0.1, the Compute Engine v1 API under /compute/v1 (with a \
            service-account token endpoint at /token) and the Cloudflare v4 API under /client/v4, \
            with the real envelopes, paging, error codes, asynchronous operations and rate limits, \
            plus an admin API under /_emulator (request journal, fault injection, clock).

            It writes a service-account key file whose token_uri points at itself, prints shell \
            `export` lines for the endpoints and credentials, and runs until interrupted (Ctrl-C).

            With --fleet, it serves what that fleet file names: the GCE project and zones, the \
            Cloudflare account, zone id and domain — so `plan` and `apply` of that file work \
            against it as they would against the real APIs. A project or account the fleet does \
            not name stays forbidden (403), as on GCE and Cloudflare.

            With --cloudflare, Cloudflare's edge is emulated too, on a port of its own \
            (DD_EDGE_ENDPOINT): a request whose Host is a proxied hostname of the zone goes along \
            its CNAME to the tunnel, by the tunnel's ingress rules to a connected connector's \
            origin — 530 (error code 1033) when no connector runs, 502 when the origin refuses:
              curl -H "Host: <vm>.devopsdefender.com" "$DD_EDGE_ENDPOINT/health"   # a registered agent

            With --pccs --sim-authority FILE, it also serves a PCCS (Intel's v4 collateral API) \
            for that simulated TDX authority: TCB Info (UpToDate), QE Identity and CRLs, issued \
            a day ago and current for 30 days, so control planes and agents given \
            --pccs "$DD_PCCS_URL" judge simulated quotes' TCB status as on real hardware.

            Examples:
              devopsdefender emulator --gce --cloudflare --fleet examples/fleet.yaml > emulator.env &
              source emulator.env
              devopsdefender plan examples/fleet.yaml
              devopsdefender emulator --gce --cloudflare --port 8787 > emulator.env &
              source emulator.env
              curl -s "$DD_GCE_ENDPOINT/projects/$DD_GCE_PROJECT/zones/$DD_GCE_ZONE/instances" \\
                -H "Authorization: Bearer $DD_GCE_ACCESS_TOKEN"

            See docs/emulators.md for the admin API and for pointing the Python SDKs at it.
            """
    )

    @Flag(help: "Emulate the Compute Engine v1 API.")
    var gce = false

    @Flag(help: "Emulate the Cloudflare v4 API.")
    var cloudflare = false

    @Flag(help: "Serve a PCCS for --sim-authority's simulated platform (exported as DD_PCCS_URL).")
    var pccs = false

    @Option(
        help: ArgumentHelp("The simulated TDX authority (from `attest quote --sim --output-dir`) whose collateral --pccs serves.", valueName: "file")
    )
    var simAuthority: String?

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: "With --cloudflare: the port Cloudflare's emulated edge listens on (0 picks a free one; exported as DD_EDGE_ENDPOINT).")
    var edgePort: Int = 0

    @Option(help: ArgumentHelp("Where to write the GCE service-account key file.", valueName: "file"))
    var keyFile: String = ".build/emulator/service-account.json"

    @Option(help: ArgumentHelp("The API token the Cloudflare emulator accepts.", valueName: "token"))
    var cloudflareToken: String = "dd-emulator-cloudflare-token"

    @Option(help: ArgumentHelp("Emulated GCE project (default: the fleet's, else dd-emulated).", valueName: "project"))
    var project: String?

    @Option(
        help: ArgumentHelp(
            "A fleet file whose GCE project and zones and Cloudflare account, zone id and domain to serve.",
            valueName: "file"
        )
    )
    var fleet: String?

    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard self.gce || self.cloudflare || self.pccs else {
            throw ValidationError("choose what to emulate: --gce, --cloudflare, --pccs, or several")
        }
        if self.pccs != (self.simAuthority != nil) {
            throw ValidationError("--pccs serves a simulated authority's collateral: give --pccs and --sim-authority FILE together")
        }
        guard (0...65_535).contains(self.port) else { throw ValidationError("--port must be 0–65535") }
        guard (0...65_535).contains(self.edgePort) else { throw ValidationError("--edge-port must be 0–65535") }
    }

    /// The emulators' configurations: the defaults, or what `--fleet` names.
    func configurations(staticToken: String) throws -> (gce: GCEEmulator.Configuration?, cloudflare: CloudflareEmulator.Configuration?) {
        var gce = GCEEmulator.Configuration(staticTokens: [staticToken])
        var cloudflare = CloudflareEmulator.Configuration(tokens: [self.cloudflareToken])
        if let file = self.fleet {
            let spec: FleetSpec
            do {
                spec = try LoadedFleet.resolve(file, options: self.input).1.spec
            } catch {
                Terminal.standardError.write(error.message)
                throw ExitCode(error.unreadable ? CLIExit.usage : CLIExit.invalid)
            }
            gce.project = spec.gce.project
            gce.zones = spec.gce.zones
            cloudflare.accountID = spec.cloudflare.accountID
            cloudflare.zoneID = spec.cloudflare.zoneID
            cloudflare.zoneName = spec.cloudflare.domain
        }
        if let project = self.project { gce.project = project }
        return (self.gce ? gce : nil, self.cloudflare ? cloudflare : nil)
    }

    func run() async throws {
        let staticToken = "dd-emulator-gce-token"
        let (gce, cloudflare) = try self.configurations(staticToken: staticToken)
        let server = try EmulatorServer(cloudflare: cloudflare, gce: gce, pccs: try self.pccsEmulator())
        try await LoopbackServer.withRunning(server.router(), port: self.port, logger: Logger(label: "devopsdefender.emulator")) { port in
            let lines = try self.exports(server: server, base: "http://127.0.0.1:\(port)", staticToken: staticToken)
            guard let emulator = server.cloudflare else {
                Terminal.standardOutput.write(lines.joined(separator: "\n") + "\n")
                try await Self.waitForInterrupt()
                return
            }
            try await CloudflareEdge.withRunning(emulator: emulator, port: self.edgePort) { edgePort in
                let edge = "export DD_EDGE_ENDPOINT=http://127.0.0.1:\(edgePort)"
                Terminal.standardOutput.write((lines + [edge]).joined(separator: "\n") + "\n")
                try await Self.waitForInterrupt()
            }
        }
    }

    /// The comment and `export` lines for `server` listening at `base` (the GCE key file is
    /// written on the way).
    func exports(server: EmulatorServer, base: String, staticToken: String) throws -> [String] {
        var lines = ["# devopsdefender emulator listening on \(base) (admin: \(base)/_emulator/journal)"]
        if let emulator = server.gce {
            let url = URL(fileURLWithPath: self.keyFile)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(emulator.serviceAccountKey(tokenURI: base + "/token")).write(to: url)
            lines += [
                "export DD_GCE_ENDPOINT=\(base)/compute/v1",
                "export DD_GCE_API_ENDPOINT=\(base)",
                "export DD_GCE_CREDENTIALS=\(url.path)",
                "export GOOGLE_APPLICATION_CREDENTIALS=\(url.path)",
                "export DD_GCE_PROJECT=\(emulator.configuration.project)",
                "export DD_GCE_ZONE=\(emulator.configuration.zones[0])",
                "export DD_GCE_ACCESS_TOKEN=\(staticToken)",
            ]
        }
        if let emulator = server.cloudflare {
            lines += [
                "export DD_CLOUDFLARE_ENDPOINT=\(base)/client/v4",
                "export DD_CF_API_TOKEN=\(emulator.configuration.tokens.first ?? "")",
                // `plan` reads the token variable the fleet file names only when allowed.
                "export DD_SECRET_ENV_ALLOW=DD_CF_API_TOKEN",
                "export DD_CF_ACCOUNT_ID=\(emulator.configuration.accountID)",
                "export DD_CF_ZONE_ID=\(emulator.configuration.zoneID)",
                "export DD_CF_ZONE_NAME=\(emulator.configuration.zoneName)",
            ]
        }
        if server.pccs != nil {
            lines.append("export DD_PCCS_URL=\(base)")
        }
        return lines
    }

    /// The PCCS for --sim-authority's platform, when --pccs asks for one.
    func pccsEmulator() throws -> PCCSEmulator? {
        guard self.pccs, let path = self.simAuthority else { return nil }
        do {
            let authority = try QuoteSourceOptions.authority(at: path)
            let bundle = try authority.collateral(issued: Date().addingTimeInterval(-86_400))
            return PCCSEmulator(bundle: bundle, fmspc: Hex.encode(authority.platform.fmspc))
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(CLIExit.usage)
        }
    }

    /// Suspends until SIGINT or SIGTERM.
    static func waitForInterrupt() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in signals { break }
        for source in sources { source.cancel() }
    }
}
