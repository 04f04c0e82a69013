import Daemon
import Foundation
import Reconciler
import TestSupport
import Testing

/// `control-plane --allowed-signers`: every new commit must carry an SSH signature from an
/// allowed key — signed with `git commit -S` (gpg.format ssh) and keys from `ssh-keygen`, read by
/// the daemon through libgit2 and checked by its own SSHSIG verifier.
@Suite(.serialized) struct ControlPlaneSignedCommitsCLITests {
    /// Makes an Ed25519 key, an allowed_signers file listing it for the `git` namespace, and sets
    /// the repository to sign with it; answers the allowed_signers path.
    static func signingSetup(_ fleet: DaemonFleet) throws -> String {
        let key = fleet.directory.appendingPathComponent("signer").path
        let keygen = try TestEnvironment.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "signer", "-f", key]
        )
        try #require(keygen.status == 0, "\(keygen.standardError)")
        let publicKey = try String(contentsOf: URL(fileURLWithPath: key + ".pub"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let allowed = fleet.directory.appendingPathComponent("allowed_signers").path
        try "fleet@example.com namespaces=\"git\" \(publicKey)\n".write(toFile: allowed, atomically: true, encoding: .utf8)
        try fleet.git(["config", "gpg.format", "ssh"])
        try fleet.git(["config", "user.signingkey", key])
        return allowed
    }

    /// Commits `text` as fleet.yaml, signed or not.
    static func commit(_ fleet: DaemonFleet, _ text: String, signed: Bool, message: String) throws -> Revision {
        try text.write(to: fleet.repository.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        try fleet.git(["add", "fleet.yaml"])
        try fleet.git(["commit", "-q", signed ? "-S" : "--no-gpg-sign", "-m", message])
        return try #require(Revision(try fleet.git(["rev-parse", "HEAD"])))
    }

    @Test("an unsigned head stalls as Unverified naming the commit; a signed one is applied; an unsigned commit under a signed head still stalls")
    func signedCommits() async throws {
        try await DaemonFleet.with { fleet, unsignedFirst in
            let allowed = try Self.signingSetup(fleet)
            try await fleet.startControlPlane(["--allowed-signers", allowed])
            let first = try await fleet.status(until: "the unsigned first head stalls") { $0.conditions.isTrue(.stalled) }
            #expect(first.conditions[.stalled].reason == "Unverified" && first.conditions[.stalled].message.contains(unsignedFirst.hex))
            #expect(first.appliedRevision == nil)

            let text = try fleet.fleetFile()
            let signed = try Self.commit(fleet, text + "\n# signed\n", signed: true, message: "signed")
            #expect(try await fleet.push(signed) == 202)
            try await fleet.ready(at: signed)
            #expect(try await fleet.status().conditions[.sourceVerified].reason == "Verified")

            let unsigned = try Self.commit(fleet, text + "\n# unsigned\n", signed: false, message: "unsigned")
            let signedOnTop = try Self.commit(fleet, text + "\n# signed again\n", signed: true, message: "signed on top")
            #expect(try await fleet.push(signedOnTop) == 202)
            let stalled = try await fleet.status(until: "the unsigned commit under the head stalls") { $0.conditions.isTrue(.stalled) }
            #expect(stalled.conditions[.stalled].reason == "Unverified" && stalled.conditions[.stalled].message.contains(unsigned.hex))
            #expect(stalled.conditions[.sourceVerified].status == .false)
            #expect(stalled.appliedRevision == signed, "it stays on the last verified revision")
            let wait = try await fleet.run(["wait", "--control-plane", fleet.url, "--revision", signedOnTop.hex, "--timeout", "30"])
            #expect(wait.status == 1, "\(wait.standardError)")
            try await fleet.expectCleanStop()
        }
    }

    @Test("a malformed allowed_signers file is a one-line error at start, naming its line")
    func badAllowedSigners() async throws {
        try await DaemonFleet.with { fleet, _ in
            let allowed = fleet.directory.appendingPathComponent("allowed_signers").path
            try "fleet@example.com ssh-ed25519 not-base64!\n".write(toFile: allowed, atomically: true, encoding: .utf8)
            let result = try await fleet.run([
                "control-plane", "--repo", fleet.repository.path, "--env", "production", "--allowed-signers", allowed,
                "--state-dir", fleet.directory.appendingPathComponent("state-bad").path, "--listen", "127.0.0.1:0",
            ])
            #expect(result.status == 1)
            #expect(result.standardError.contains("--allowed-signers") && result.standardError.contains(":1:"), "\(result.standardError)")
        }
    }
}
