import ArgumentParser

/// The `devopsdefender` command: one executable for the CLI, CI's plan, the control plane (the
/// reconciling daemon and agent registration) and the agent on every VM.
struct DevOpsDefender: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devopsdefender",
        abstract: "Run workloads on attested Intel TDX confidential VMs, declared in a fleet.yaml.",
        discussion: """
            A fleet.yaml in git declares environments, pull-request previews and workloads. \
            devopsdefender checks it, expands it into the exact VMs, tunnels and DNS records it \
            stands for, and converges the clouds towards it.

            Start here:
              devopsdefender validate fleet.yaml          check a fleet file, with every problem at once
              devopsdefender render fleet.yaml --env production
                                                          see the VMs, tunnels and DNS records it expands to
              devopsdefender schema > fleet.schema.json   a JSON Schema for editor completion
              devopsdefender plan fleet.yaml              what apply would change (read-only; CI runs it on every PR)
              devopsdefender apply fleet.yaml             converge GCE and Cloudflare to the spec
              devopsdefender attest verify quote.dat      verify an Intel TDX quote to Intel's root

            Exit codes: 0 success, 1 invalid input (a diagnostic says where), 2 usage or I/O error.
            plan and apply follow Terraform's convention instead: 0 no changes, 2 changes (plan), \
            1 error, 3 refused by policy.
            Docs: docs/cli.md, docs/fleet-spec.md, docs/operations.md.
            """,
        version: "0.1.0",
        subcommands: [
            ValidateCommand.self, RenderCommand.self, SchemaCommand.self, PlanCommand.self, ApplyCommand.self, ObserveCommand.self,
            AttestCommand.self, NoiseCommand.self, EmulatorCommand.self, ControlPlaneCommand.self, StatusCommand.self, WaitCommand.self,
            ApproveCommand.self, AgentCommand.self,
        ]
    )
}

/// The entry point: maps argument errors to exit code 2 (ArgumentParser's default is 64) so that
/// every command follows one convention: 0 success, 1 invalid input, 2 usage or I/O error.
@main
enum Main {
    static func main() async {
        do {
            var command = try DevOpsDefender.parseAsRoot()
            LogBootstrap.bootstrap((command as? any LoggingConfigurable)?.logging.settings ?? LogSettings())
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = DevOpsDefender.exitCode(for: error)
            if code == .validationFailure {
                Terminal.standardError.write(DevOpsDefender.fullMessage(for: error) + "\n")
                Terminal.standardError.write("Run 'devopsdefender --help' for usage.\n")
                // plan's exit code 2 means "changes"; its usage errors are plain errors (1).
                let reconciling = CommandLine.arguments.dropFirst().first.map { ["plan", "apply"].contains($0) } ?? false
                DevOpsDefender.exit(withError: ExitCode(reconciling ? 1 : CLIExit.usage))
            }
            DevOpsDefender.exit(withError: error)
        }
    }
}

/// The exit codes every command uses.
enum CLIExit {
    /// Success.
    static let success: Int32 = 0
    /// The input is invalid; diagnostics say why.
    static let invalid: Int32 = 1
    /// Bad arguments, or a file that cannot be read.
    static let usage: Int32 = 2
}
