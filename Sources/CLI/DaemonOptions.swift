import ArgumentParser
import Foundation
import Reconciler

/// How the control plane keeps its environment converged: where the fleet file comes from (a git
/// repository, or the file argument re-read each pass), the secrets it reads from files, and the
/// loop's timing.
struct DaemonOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The fleet repository to watch: https://host/owner/repo.git, file:///path or a local path. Without it, the fleet file argument is re-read each pass.",
            valueName: "url"
        )
    )
    var repo: String?

    @Option(help: ArgumentHelp("The branch to follow.", valueName: "name"))
    var branch = "main"

    @Option(help: ArgumentHelp("The fleet file's path in the repository.", valueName: "path"))
    var path = "fleet.yaml"

    @Option(
        help: ArgumentHelp(
            "A file holding the token for an HTTPS repository (sent only in an Authorization header, never in the URL).",
            valueName: "file"
        )
    )
    var repoTokenFile: String?

    @Option(help: ArgumentHelp("CA certificates for an HTTPS repository (PEM).", valueName: "file"))
    var repoCaFile: String?

    @Option(
        help: ArgumentHelp(
            "An OpenSSH allowed_signers file: every new commit must then carry an SSH signature (namespace git) from a key it lists, or the environment stalls as Unverified.",
            valueName: "file"
        )
    )
    var allowedSigners: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the GitHub webhook secret; POST /hooks/github then wakes the loop on a verified push. Without it, webhooks are refused.",
            valueName: "file"
        )
    )
    var webhookSecretFile: String?

    @Option(
        help: ArgumentHelp(
            "The name of an environment variable holding the GitHub webhook secret (instead of --webhook-secret-file).",
            valueName: "name"
        )
    )
    var webhookSecretEnv: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the admin token for POST /approve and suspend/resume. Without it, those routes are refused.",
            valueName: "file"
        )
    )
    var adminTokenFile: String?

    @Option(help: ArgumentHelp("Seconds between passes when nothing wakes the loop (±10 % jitter).", valueName: "seconds"))
    var interval = 60

    @Option(
        help: ArgumentHelp(
            "Tunnel configurations read per pass (one Cloudflare call each; the rest come from the journal's ingress cache, least recently verified first). Default: what keeps an idle pass within 10 % of Cloudflare's 1,200 requests per 5 minutes at --interval, leaving room for the list pages of a 10,000-VM fleet (12 at 60 s).",
            valueName: "n"
        )
    )
    var ingressChecks: Int?

    /// The tunnel configurations a pass reads: --ingress-checks, else 10 % of Cloudflare's budget
    /// (1,200 requests / 300 s) over one interval, less 12 calls for list pages, at least 1.
    var ingressChecksPerPass: Int {
        self.ingressChecks ?? max(1, Int(Double(self.interval) * 1_200 / 300 * 0.10) - 12)
    }

    @Option(
        help: ArgumentHelp(
            "Where the control plane keeps its state: the repository's local copy and, unless --journal or DD_JOURNAL says otherwise, the journal.",
            valueName: "dir"
        )
    )
    var stateDir = ".devopsdefender"

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Reconcile the environment continuously (the daemon).",
            discussion: "--no-reconcile runs registration only, for a fleet converged by `apply` by hand."
        )
    )
    var reconcile = true

    @Option(
        name: .customLong("preview"),
        help: ArgumentHelp(
            "An open pull request whose preview this control plane runs (repeat for each), when the spec copies previews from its environment. With any --preview (or --no-previews), previews not named are torn down; without, running previews are left alone.",
            valueName: "number"
        )
    )
    var previews: [Int] = []

    @Flag(help: "No pull request is open: tear down every preview this control plane runs.")
    var noPreviews = false

    @Option(help: ArgumentHelp("Refuse a plan deleting more than this percentage of the environment's owned resources.", valueName: "percent"))
    var maxDeletePercent = 30

    @Option(help: ArgumentHelp("New VMs a pool may run beyond its count during a rollout.", valueName: "n"))
    var maxSurge = 1

    func validate() throws {
        if !self.previews.isEmpty && self.noPreviews { throw ValidationError("--preview and --no-previews contradict each other; give one") }
        if let bad = self.previews.first(where: { $0 < 1 }) { throw ValidationError("--preview \(bad) is not a pull-request number") }
        if self.webhookSecretFile != nil && self.webhookSecretEnv != nil {
            throw ValidationError("--webhook-secret-file and --webhook-secret-env contradict each other; give one")
        }
        if let checks = self.ingressChecks, checks < 0 { throw ValidationError("--ingress-checks must be zero or more") }
        guard self.interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
        guard (0...100).contains(self.maxDeletePercent) else { throw ValidationError("--max-delete-percent must be between 0 and 100") }
        guard self.maxSurge >= 1 else { throw ValidationError("--max-surge must be at least 1") }
        guard !self.path.isEmpty, !self.path.hasPrefix("/") else {
            throw ValidationError("--path is relative to the repository's root, like fleet.yaml or deploy/fleet.yaml")
        }
        if self.repo == nil, let flag = self.gitOnlyFlagGiven { throw ValidationError("\(flag) needs --repo") }
    }

    /// A git-only flag given without --repo.
    private var gitOnlyFlagGiven: String? {
        if self.repoTokenFile != nil { return "--repo-token-file" }
        if self.repoCaFile != nil { return "--repo-ca-file" }
        if self.allowedSigners != nil { return "--allowed-signers" }
        return nil
    }

    /// The planner's knobs for the daemon's passes (the environment scope is set per revision).
    /// Without --preview or --no-previews, previews already running are left alone
    /// (`untouched`): the daemon does not discover open pull requests by itself yet.
    var settings: ReconcileSettings {
        ReconcileSettings(
            previews: Array(Set(self.previews)).sorted(),
            previewScope: self.previews.isEmpty && !self.noPreviews ? .untouched : .exact,
            maxSurge: self.maxSurge,
            maxDeletePercent: self.maxDeletePercent
        )
    }

    /// The webhook secret, from its file or its environment variable (nil: webhooks refused).
    func webhookSecret(_ environment: ProcessEnvironment) throws -> String? {
        guard let name = self.webhookSecretEnv else { return try Self.secret(self.webhookSecretFile, flag: "--webhook-secret-file") }
        guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            throw ValidationError("--webhook-secret-env \(name): the environment variable is unset or empty")
        }
        return value
    }

    /// The first line of a secret file (a trailing newline is not part of the secret).
    static func secret(_ path: String?, flag: String) throws -> String? {
        guard let path else { return nil }
        let data: [UInt8]
        do {
            data = try BoundedFile.read(path, maximumBytes: SecretLoader.maximumBytes)
        } catch {
            throw ValidationError("\(flag) \(path) \(error.explanation); give a readable file holding the value")
        }
        let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // One line of printable ASCII: a control character would end up in a header or a log.
        guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw ValidationError("\(flag) \(path) must hold the value on one line of printable ASCII (no control character)")
        }
        return value
    }
}
