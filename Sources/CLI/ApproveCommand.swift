import ArgumentParser
import Foundation
import ProviderSupport
import Reconciler

/// `devopsdefender approve --control-plane URL REVISION`
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Let a control plane apply a revision that does not fast-forward (after a force-push).",
        discussion: """
            A control plane applies a new head only if it fast-forwards from the applied revision; \
            after a force-push or a rewritten history the environment is Stalled (NonFastForward) \
            and nothing is deleted until an operator approves the new head. Approval needs the \
            admin token the control plane was started with (--admin-token-file).

            Example:
              devopsdefender approve --control-plane http://127.0.0.1:8080 --admin-token-file admin.token \\
                0123456789abcdef0123456789abcdef01234567
            """
    )

    @Argument(help: ArgumentHelp("The commit to approve (40 hex digits).", valueName: "revision"))
    var revision: String

    @Option(help: ArgumentHelp("The control plane (default: DD_CONTROL_PLANE_URL).", valueName: "url"))
    var controlPlane: String?

    @Option(help: ArgumentHelp("A file holding the admin token.", valueName: "file"))
    var adminTokenFile: String

    @Option(help: ArgumentHelp("Approve for this environment only (default: every one it reconciles).", valueName: "name"))
    var env: String?

    func validate() throws {
        guard Revision(self.revision) != nil else { throw ValidationError("the revision must be a full 40-hex-digit commit id") }
    }

    func run() async throws {
        let client = try ControlPlaneClient(flag: self.controlPlane, environment: .current())
        guard let token = try DaemonOptions.secret(self.adminTokenFile, flag: "--admin-token-file") else { throw ExitCode(2) }
        var body = ["revision": self.revision.lowercased()]
        if let env = self.env { body["environment"] = env }
        do {
            let response = try await client.send(
                "POST",
                "/approve",
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")],
                body: Array(try JSONEncoder().encode(body))
            )
            guard response.status == 200 else { throw ControlPlaneClient.refusal(response, "POST /approve") }
        } catch let failure as ControlPlaneClient.Failure {
            Terminal.standardError.write("error: \(failure)\n")
            throw ExitCode(1)
        }
        Terminal.standardOutput.write("approved \(self.revision.lowercased()); the control plane applies it on its next pass\n")
    }
}
