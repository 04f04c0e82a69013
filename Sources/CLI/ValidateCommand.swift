import ArgumentParser
import Spec

/// `devopsdefender validate FILE...`
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check fleet files and report every problem at once.",
        discussion: """
            Each problem is printed like a compiler diagnostic — file:line:column, the rule it \
            breaks, what is wrong, the source line with a caret, and a hint — so editors and CI \
            logs link straight to it. Warnings do not make a file invalid.

            Examples:
              devopsdefender validate fleet.yaml
              devopsdefender validate fleets/*.yaml --format json | jq '.files[].diagnostics'

            Exit codes: 0 every file is valid, 1 some file is invalid, 2 usage or I/O error.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: ArgumentHelp("Fleet files to check ('-' reads standard input).", valueName: "file"))
    var files: [String]

    @Option(help: "Output format: text (diagnostics on standard error) or json (a report on standard output).")
    var format: Format = .text

    @OptionGroup var input: FleetInputOptions

    func validate() throws {
        guard !self.files.isEmpty else {
            throw ValidationError("give at least one fleet file, like `devopsdefender validate fleet.yaml`")
        }
    }

    func run() throws {
        var anyInvalid = false
        var anyUnreadable = false
        var reports: [StructuredValue] = []
        for file in self.files {
            let loaded: LoadedFleet
            do {
                loaded = try LoadedFleet.load(file, options: self.input)
            } catch {
                anyUnreadable = true
                Terminal.standardError.write("\(error)\n")
                reports.append(.object([("file", .string(file)), ("valid", .boolean(false)), ("ioError", .string(error.reason))]))
                continue
            }
            let diagnostics = loaded.result.diagnostics
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.count - errors
            anyInvalid = anyInvalid || !loaded.result.isValid
            switch self.format {
            case .text:
                Terminal.standardError.write(loaded.renderedDiagnostics)
                if let fleet = loaded.result.fleet {
                    Terminal.standardOutput.write("\(file): valid — \(Self.summary(fleet))\(Self.count(warnings, "warning"))\n")
                } else {
                    Terminal.standardError.write("\(file): invalid — \(Self.plural(errors, "error"))\(Self.count(warnings, "warning"))\n")
                }
            case .json:
                reports.append(
                    .object([
                        ("file", .string(file)),
                        ("valid", .boolean(loaded.result.isValid)),
                        ("errors", .integer(errors)),
                        ("warnings", .integer(warnings)),
                        ("diagnostics", .array(diagnostics.map(DiagnosticRenderer.structured))),
                    ])
                )
            }
        }
        if self.format == .json {
            let report = StructuredValue.object([
                ("formatVersion", .integer(1)),
                ("valid", .boolean(!anyInvalid && !anyUnreadable)),
                ("files", .array(reports)),
            ])
            Terminal.standardOutput.write(report.prettyJSON())
        }
        if anyUnreadable { throw ExitCode(CLIExit.usage) }
        if anyInvalid { throw ExitCode(CLIExit.invalid) }
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func count(_ count: Int, _ noun: String) -> String {
        count == 0 ? "" : ", \(self.plural(count, noun))"
    }

    private static func summary(_ fleet: ResolvedFleet) -> String {
        let vms = fleet.environments.reduce(0) { total, environment in total + 1 + environment.pools.reduce(0) { $0 + $1.count } }
        return "\(self.plural(fleet.environments.count, "environment")), \(self.plural(vms, "VM")), "
            + "\(self.plural(fleet.workloads.count, "workload"))"
    }
}
