import ArgumentParser
import Foundation
import Spec

/// The operator's say over where secrets come from. A fleet file names its secrets' sources
/// (`{env: NAME}`, `{file: PATH}`), and `plan` runs on every pull request against the PR's own
/// fleet file: so a source the spec chose is read only where the operator allows it, and the
/// operator can name the Cloudflare token's source outright.
struct SecretSourceOptions: ParsableArguments {
    @Option(
        name: .customLong("secrets-from"),
        help: ArgumentHelp(
            "Read {file:} secrets the fleet file names only from inside this directory (repeatable; default: DD_SECRETS_FROM, colon-separated).",
            valueName: "dir"
        )
    )
    var directories: [String] = []

    @Option(
        name: .customLong("secret-env"),
        help: ArgumentHelp(
            "Allow the fleet file's {env: NAME} secrets to read this variable (repeatable; default: DD_SECRET_ENV_ALLOW, comma-separated).",
            valueName: "name"
        )
    )
    var environmentNames: [String] = []

    @Option(help: ArgumentHelp("Read the Cloudflare API token from this file, whatever the fleet file says.", valueName: "file"))
    var cloudflareTokenFile: String?

    @Option(help: ArgumentHelp("Read the Cloudflare API token from this environment variable, whatever the fleet file says.", valueName: "name"))
    var cloudflareTokenEnv: String?

    func validate() throws {
        guard self.cloudflareTokenFile == nil || self.cloudflareTokenEnv == nil else {
            throw ValidationError("give --cloudflare-token-file or --cloudflare-token-env, not both")
        }
    }

    /// These flags, with the environment they fall back to.
    func policy(environment: ProcessEnvironment, specChosenAllowed: Bool) -> SecretPolicy {
        let directories =
            !self.directories.isEmpty
            ? self.directories : (environment["DD_SECRETS_FROM"] ?? "").split(separator: ":").map(String.init)
        let names =
            !self.environmentNames.isEmpty
            ? self.environmentNames
            : (environment["DD_SECRET_ENV_ALLOW"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let cloudflare: SecretReference? =
            self.cloudflareTokenFile.map { .file($0) } ?? self.cloudflareTokenEnv.map { .environment($0) }
        return SecretPolicy(
            directories: directories.filter { !$0.isEmpty }.map(BoundedFile.realPath),
            environmentNames: Set(names.filter { !$0.isEmpty }),
            specChosenAllowed: specChosenAllowed,
            cloudflareToken: cloudflare
        )
    }
}
