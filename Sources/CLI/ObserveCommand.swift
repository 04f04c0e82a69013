import ArgumentParser
import CloudflareProvider
import Foundation
import GCEProvider
import Logging
import ProviderSupport
import Reconciler
import Spec

/// `devopsdefender observe FILE`
struct ObserveCommand: AsyncParsableCommand, LoggingConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "List what the fleet owns in GCE and Cloudflare right now (read-only).",
        discussion: """
            The same observation plan and apply make, through the same adapters: bulk lists only — instances labelled dd-fleet=<fleet name> in every zone, tunnels \
            named with the fleet's prefix, DNS records whose comment carries the fleet's \
            ownership mark — at the largest page size each API allows. Each source is reported \
            complete or partial; a partial source is never shown as empty, and one that cannot be read \
            at all (refused credentials, an unknown project or account) says why and how to fix it.

            Examples:
              devopsdefender observe fleet.yaml
              devopsdefender observe fleet.yaml --gce-endpoint http://127.0.0.1:8787/compute/v1 \\
                --cloudflare-endpoint http://127.0.0.1:8787/client/v4 --format json

            Exit codes: 0 every source complete, 1 some source partial or unreadable (the error is \
            shown), 2 usage, credential or I/O error.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: ArgumentHelp("The fleet file.", valueName: "file"))
    var file: String

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @OptionGroup var endpoints: CloudEndpointOptions
    @OptionGroup var input: FleetInputOptions
    @OptionGroup var logging: LoggingOptions

    struct Source {
        var name: String
        var scope: String
        var items: [String]
        var error: String?
    }

    func run() async throws {
        let fleet: ResolvedFleet
        do {
            fleet = try LoadedFleet.resolve(self.file, options: self.input).1
        } catch {
            Terminal.standardError.write(error.message)
            throw ExitCode(error.exitCode)
        }
        let spec = fleet.spec
        let clients: ProviderClients
        let gce: GCEClient<ContinuousClock>
        do {
            clients = try ProviderClients.connect(
                spec: spec,
                endpoints: self.endpoints,
                environment: .current(),
                logger: Logger(label: "devopsdefender.observe")
            )
            gce = try clients.requiredGCE()
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(CLIExit.usage)
        }
        let marks = OwnershipMarks(fleet: spec.metadata.name, prefix: spec.metadata.namePrefix)
        let edge = CloudflareFleetAdapter(client: clients.cloudflare, tokenSource: clients.cloudflareTokenSource)
        let observer = Observer(
            compute: GCEComputeAdapter(client: gce, credentialSource: clients.gceCredentialSource),
            tunnels: edge,
            dns: edge
        )
        let state = await observer.observe(marks: marks, ingressFor: [], now: Int64(Date().timeIntervalSince1970))
        let sources = Self.sources(of: state, marks: marks)
        switch self.format {
        case .text: Terminal.standardOutput.write(Self.text(sources, spec: spec, apiCalls: clients.apiCalls))
        case .json: Terminal.standardOutput.write(Self.json(sources, fleet: marks.fleet, apiCalls: clients.apiCalls).prettyJSON() + "\n")
        }
        if sources.contains(where: { $0.error != nil }) { throw ExitCode(CLIExit.invalid) }
    }

    /// The three bulk lists of `state`, each reduced to what `marks` own.
    static func sources(of state: ObservedState, marks: OwnershipMarks) -> [Source] {
        func source(_ name: SourceStatus.Name, _ title: String, _ scope: String, _ items: [String]) -> Source {
            let status = state.sources.first { $0.name == name }
            let error = status.flatMap { $0.complete ? nil : [$0.detail, $0.fix.map { "fix: \($0)" }].compactMap { $0 }.joined(separator: "; ") }
            return Source(name: title, scope: scope, items: status?.complete == false ? [] : items, error: status == nil ? "not observed" : error)
        }
        return [
            source(
                .gceInstances,
                "gce instances",
                LabelKey.fleet.gceFilter(equals: marks.fleet),
                state.vms.filter(marks.owns).map { "\($0.name) (\($0.zone), \($0.status))" }
            ),
            source(
                .cloudflareTunnels,
                "cloudflare tunnels",
                "name prefix \(marks.prefix)-",
                state.tunnels.map { "\($0.name) (\($0.connections) connection\($0.connections == 1 ? "" : "s"))" }
            ),
            source(
                .cloudflareDNS,
                "cloudflare dns records",
                "comment \(OwnershipComment.fleetMarker(fleet: marks.fleet))",
                state.dnsRecords.filter { marks.environment(of: $0) != nil }.map { "\($0.name) → \($0.content)" }
            ),
        ]
    }

    /// The report for people.
    static func text(_ sources: [Source], spec: FleetSpec, apiCalls: Int) -> String {
        var out = "fleet \(spec.metadata.name): gce project \(spec.gce.project), cloudflare account \(spec.cloudflare.accountID)\n"
        for source in sources {
            let state = source.error.map { "PARTIAL — \($0)" } ?? "complete"
            out += "\(source.name): \(source.items.count) owned (\(source.scope)), \(state)\n"
            for item in source.items.sorted() { out += "  \(item)\n" }
        }
        return out + "API calls: \(apiCalls)\n"
    }

    /// The report for programs.
    static func json(_ sources: [Source], fleet: String, apiCalls: Int) -> StructuredValue {
        .object([
            ("fleet", .string(fleet)),
            (
                "sources",
                .array(
                    sources.map { source in
                        .object([
                            ("name", .string(source.name)), ("scope", .string(source.scope)), ("complete", .boolean(source.error == nil)),
                            ("items", .array(source.items.sorted().map(StructuredValue.string))), ("error", .optional(source.error)),
                        ])
                    }
                )
            ),
            ("apiCalls", .integer(apiCalls)),
        ])
    }
}
