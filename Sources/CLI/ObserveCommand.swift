import ArgumentParser
import CloudflareProvider
import Foundation
import GCEProvider
import ProviderSupport
import Spec

/// `devopsdefender observe FILE`
struct ObserveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "observe",
        abstract: "List what the fleet owns in GCE and Cloudflare right now (read-only).",
        discussion: """
            Bulk lists only — instances labelled dd-fleet=<fleet name> in every zone, tunnels \
            named with the fleet's prefix, DNS records whose comment carries the fleet's \
            ownership mark — at the largest page size each API allows. Each source is reported \
            complete or partial; a partial source is never shown as empty.

            Examples:
              devopsdefender observe fleet.yaml
              devopsdefender observe fleet.yaml --gce-endpoint http://127.0.0.1:8787/compute/v1 \\
                --cloudflare-endpoint http://127.0.0.1:8787/client/v4 --format json

            Exit codes: 0 every source complete, 1 some source partial (the error is shown), \
            2 usage, credential or I/O error.
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

    struct Source {
        var name: String
        var scope: String
        var items: [String]
        var error: String?
    }

    func run() async throws {
        let loaded: LoadedFleet
        do {
            loaded = try LoadedFleet.load(self.file, options: self.input)
        } catch {
            Terminal.standardError.write("\(error)\n")
            throw ExitCode(CLIExit.usage)
        }
        guard let fleet = loaded.result.fleet else {
            Terminal.standardError.write(
                DiagnosticRenderer(useColor: Terminal.standardError.supportsColor).render(loaded.result.diagnostics, source: loaded.source)
            )
            throw ExitCode(CLIExit.invalid)
        }
        let spec = fleet.spec
        let transport = HTTPTransport()
        let gce: GCEClient<ContinuousClock>
        let cloudflare: CloudflareClient<ContinuousClock>
        do {
            gce = try self.endpoints.gceClient(spec: spec.gce, transport: transport)
            cloudflare = try self.endpoints.cloudflareClient(spec: spec.cloudflare, transport: transport)
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(CLIExit.usage)
        }
        let name = spec.metadata.name
        let prefix = "\(spec.metadata.namePrefix)-"
        async let instances = Self.observe("gce instances", LabelKey.fleet.gceFilter(equals: name)) {
            try await gce.aggregatedInstances(filter: LabelKey.fleet.gceFilter(equals: name)).flatMap { zone, items in
                items.map { "\($0.name) (\(zone), \($0.status ?? "?"))" }
            }
        }
        async let tunnels = Self.observe("cloudflare tunnels", "name prefix \(prefix)") {
            try await cloudflare.listTunnels(namePrefix: prefix).map { "\($0.name) (\($0.status ?? "?"))" }
        }
        async let records = Self.observe("cloudflare dns records", "comment \(OwnershipComment.fleetMarker(fleet: name))") {
            try await cloudflare.listDNSRecords(commentContains: OwnershipComment.fleetMarker(fleet: name))
                .filter { $0.comment.flatMap(OwnershipComment.init(parsing:))?.fleet == name }
                .map { "\($0.name) → \($0.content)" }
        }
        let sources = await [instances, tunnels, records]
        let calls = gce.rest.metrics.totalRequests + cloudflare.rest.metrics.totalRequests
        switch self.format {
        case .text:
            var out = "fleet \(name): gce project \(spec.gce.project), cloudflare account \(spec.cloudflare.accountID)\n"
            for source in sources {
                let state = source.error.map { "PARTIAL — \($0)" } ?? "complete"
                out += "\(source.name): \(source.items.count) owned (\(source.scope)), \(state)\n"
                for item in source.items.sorted() { out += "  \(item)\n" }
            }
            out += "API calls: \(calls)\n"
            Terminal.standardOutput.write(out)
        case .json:
            let value = StructuredValue.object([
                ("fleet", .string(name)),
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
                ("apiCalls", .integer(calls)),
            ])
            Terminal.standardOutput.write(value.prettyJSON() + "\n")
        }
        if sources.contains(where: { $0.error != nil }) { throw ExitCode(CLIExit.invalid) }
    }

    static func observe(_ name: String, _ scope: String, _ list: () async throws -> [String]) async -> Source {
        do {
            return Source(name: name, scope: scope, items: try await list(), error: nil)
        } catch {
            return Source(name: name, scope: scope, items: [], error: "\(error)")
        }
    }
}
