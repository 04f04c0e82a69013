import ArgumentParser
import Daemon
import Foundation
import Reconciler

/// `devopsdefender status --control-plane URL`
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a running control plane's environments: conditions, revisions and the last pass.",
        discussion: """
            Reads GET /status. Text (the default) is for people; --format json prints the \
            versioned document itself (docs/status.md). Exit code 0 when every environment is \
            Ready, 1 when one is not, is Stalled, or its source is not ready (say, an invalid \
            fleet file at the branch head), 2 when the control plane cannot be read.

            Example:
              devopsdefender status --control-plane http://127.0.0.1:8080
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: ArgumentHelp("The control plane (default: DD_CONTROL_PLANE_URL).", valueName: "url"))
    var controlPlane: String?

    @Option(help: "text or json.")
    var format: Format = .text

    func run() async throws {
        let client = try ControlPlaneClient(flag: self.controlPlane, environment: .current())
        let status: (document: StatusDocument, json: [UInt8])
        do {
            status = try await client.status()
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(2)
        }
        switch self.format {
        case .json: Terminal.standardOutput.write(String(decoding: status.json, as: UTF8.self))
        case .text: Terminal.standardOutput.write(StatusTextRenderer().render(status.document))
        }
        let ready = status.document.environments.allSatisfy {
            $0.conditions.isTrue(.ready) && !$0.conditions.isTrue(.stalled) && $0.conditions[.sourceReady].status != .false
        }
        throw ExitCode(ready ? 0 : 1)
    }
}

/// The status document for people.
struct StatusTextRenderer {
    func render(_ document: StatusDocument) -> String {
        var out = document.source.map { "source: \($0.url)\($0.branch.map { " (\($0))" } ?? "") \($0.path)\n" } ?? ""
        for environment in document.environments {
            out += self.render(environment)
        }
        return out
    }

    private func render(_ environment: EnvironmentStatus) -> String {
        let state =
            environment.conditions.isTrue(.stalled)
            ? "Stalled (\(environment.conditions[.stalled].reason))"
            : environment.conditions.isTrue(.ready) ? "Ready" : "Not ready (\(environment.conditions[.ready].reason))"
        var out = "\n\(environment.name): \(state)\(environment.suspended ? ", suspended" : "")\n"
        out += "  applied revision:  \(environment.appliedRevision?.hex ?? "none")\n"
        out += "  observed revision: \(environment.observedRevision?.hex ?? "none")\n"
        for condition in environment.conditions.conditions {
            let padded = condition.type.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)
            out +=
                "  \(padded) \(condition.status.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(condition.reason): \(condition.message)\n"
        }
        if let pass = environment.lastPass {
            out += "  last pass: \(pass.result) (\(pass.trigger.rawValue)), \(pass.create) to create, \(pass.update) to update, "
            out += "\(pass.delete) to delete, \(pass.failed) failed, \(pass.withheld) withheld\n"
        }
        for diagnostic in environment.diagnostics { out += "  \(diagnostic)\n" }
        return out
    }
}
