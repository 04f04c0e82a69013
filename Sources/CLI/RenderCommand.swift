import ArgumentParser
import Spec

/// `devopsdefender render FILE`
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the desired state a fleet file expands to.",
        discussion: """
            Shows, for every environment, the exact VMs (deterministic names, zones, machine types, \
            labels, and the ee-config metadata each boots with), the tunnels with their ingress \
            rules, and the DNS records. The same input always prints the same bytes, so the output \
            can be diffed between commits.

            Examples:
              devopsdefender render fleet.yaml
              devopsdefender render fleet.yaml --env staging --format json
              devopsdefender render fleet.yaml --format text
              devopsdefender render fleet.yaml --preview 42 --preview 57 --env pr-42

            Exit codes: 0 rendered, 1 the fleet is invalid, 2 usage or I/O error.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
        case text
    }

    @Argument(help: ArgumentHelp("The fleet file ('-' reads standard input).", valueName: "file"))
    var file: String

    @Option(name: .customLong("env"), help: ArgumentHelp("Print only this environment.", valueName: "name"))
    var environment: String?

    @Option(
        name: .customLong("preview"),
        help: ArgumentHelp("Add the preview for this pull request (repeatable).", valueName: "number")
    )
    var previews: [Int] = []

    @Option(help: "Output format: yaml or json (the full document), or text (a summary for people).")
    var format: Format = .yaml

    @OptionGroup var input: FleetInputOptions

    func run() throws {
        let loaded: LoadedFleet
        let fleet: ResolvedFleet
        do {
            (loaded, fleet) = try LoadedFleet.resolve(self.file, options: self.input)
        } catch {
            Terminal.standardError.write(error.message + (error.unreadable ? "" : "\(self.file): invalid; nothing rendered\n"))
            throw ExitCode(error.exitCode)
        }
        Terminal.standardError.write(loaded.renderedDiagnostics)
        let renderer = DiagnosticRenderer(useColor: Terminal.standardError.supportsColor)
        var diagnostics = DiagnosticCollector(file: self.file)
        guard let state = FleetExpander.expand(fleet, previews: self.previews, diagnostics: &diagnostics) else {
            Terminal.standardError.write(renderer.render(diagnostics.sorted, source: loaded.source))
            throw ExitCode(CLIExit.invalid)
        }
        if let environment = self.environment, !state.environments.contains(where: { $0.name == environment }) {
            let names = state.environments.map(\.name)
            Terminal.standardError.write(
                "error: no environment '\(environment)'; the fleet has \(names.joined(separator: ", "))"
                    + (PreviewNumber.isPreview(environment) ? " (add --preview N to render preview pr-N)" : "") + "\n"
            )
            throw ExitCode(CLIExit.usage)
        }
        let document = state.structured(environment: self.environment)
        switch self.format {
        case .yaml: Terminal.standardOutput.write(document.yaml())
        case .json: Terminal.standardOutput.write(document.prettyJSON())
        case .text:
            let selected = state.environments.filter { self.environment == nil || $0.name == self.environment }
            Terminal.standardOutput.write(DesiredStateSummary.render(selected, color: Terminal.standardOutput.supportsColor))
        }
    }
}
