import ArgumentParser
import CloudflareProvider
import Foundation
import GCEProvider
import Logging
import ProviderSupport
import Spec

/// Where the cloud clients point and how they authenticate: flags first, then environment
/// (`DD_GCE_ENDPOINT`, `DD_CLOUDFLARE_ENDPOINT`, `DD_GCE_CREDENTIALS`), then the fleet spec, then
/// the real APIs.
struct CloudEndpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Compute Engine base URL (default: DD_GCE_ENDPOINT or the real API).", valueName: "url"))
    var gceEndpoint: String?

    @Option(help: ArgumentHelp("Cloudflare API base URL (default: DD_CLOUDFLARE_ENDPOINT or the real API).", valueName: "url"))
    var cloudflareEndpoint: String?

    @Option(
        help: ArgumentHelp(
            "A GCE service-account key file (default: DD_GCE_CREDENTIALS, then the fleet's providers.gce.credentials, then the metadata server).",
            valueName: "file"
        )
    )
    var gceCredentials: String?

    @Option(
        name: .customLong("retry-budget"),
        help: ArgumentHelp(
            "Seconds a cloud API call may spend retrying when it gets no answer (a timeout, a refused connection, a 5xx) before giving up.",
            valueName: "seconds"
        )
    )
    var retryBudget: Int = 60

    @OptionGroup var secrets: SecretSourceOptions

    func validate() throws {
        guard self.retryBudget >= 1 else { throw ValidationError("--retry-budget must be at least 1 second") }
    }

    struct CredentialError: Error, CustomStringConvertible {
        var description: String
    }

    /// These flags with the environment they fall back to: what the clients are built from.
    struct Resolved: Sendable {
        var gceEndpoint: String?
        var cloudflareEndpoint: String?
        var gceCredentials: String?
        /// How the operator named ``gceCredentials``: `--gce-credentials FILE` or `DD_GCE_CREDENTIALS (FILE)`.
        var gceCredentialsNamed: String?
        /// `GCE_METADATA_HOST` (as Google's client libraries read it), else the one on every GCE VM.
        var metadataHost: String
        var environment: ProcessEnvironment
        /// Reads the secrets, under the operator's policy.
        var secrets: SecretLoader
        /// How the clients retry (`--retry-budget`).
        var retry: RetryPolicy

        /// `specChosenSecrets` false (`plan`): a secret source the fleet file chose is read only
        /// where `--secrets-from` / `--secret-env` allow it.
        init(options: CloudEndpointOptions, environment: ProcessEnvironment, specChosenSecrets: Bool = true) {
            self.secrets = SecretLoader(
                policy: options.secrets.policy(environment: environment, specChosenAllowed: specChosenSecrets),
                environment: environment
            )
            self.retry = RetryPolicy(maximumElapsed: .seconds(options.retryBudget))
            self.gceEndpoint = options.gceEndpoint ?? environment["DD_GCE_ENDPOINT"]
            self.cloudflareEndpoint = options.cloudflareEndpoint ?? environment["DD_CLOUDFLARE_ENDPOINT"]
            if let path = options.gceCredentials {
                (self.gceCredentials, self.gceCredentialsNamed) = (path, "--gce-credentials \(path)")
            } else if let path = environment["DD_GCE_CREDENTIALS"], !path.isEmpty {
                (self.gceCredentials, self.gceCredentialsNamed) = (path, "DD_GCE_CREDENTIALS (\(path))")
            }
            self.metadataHost = environment["GCE_METADATA_HOST"] ?? MetadataServerTokenProvider.defaultHost
            self.environment = environment
        }
    }
}

extension CloudEndpointOptions.Resolved {
    typealias CredentialError = CloudEndpointOptions.CredentialError

    /// A GCE client for the fleet's project, with these endpoints and credentials.
    func gceClient(spec: GCEProviderSpec, transport: HTTPTransport, logger: Logger) throws -> GCEClient<ContinuousClock> {
        GCEClient(
            project: spec.project,
            authorization: try self.gceAuthorization(spec: spec, transport: transport),
            baseURL: self.gceEndpoint,
            transport: transport,
            clock: ContinuousClock(),
            retry: self.retry,
            logger: logger
        )
    }

    /// A Cloudflare client for the fleet's account and zone, with these endpoints and its token.
    func cloudflareClient(spec: CloudflareProviderSpec, transport: HTTPTransport, logger: Logger) throws -> CloudflareClient<ContinuousClock> {
        CloudflareClient(
            accountID: spec.accountID,
            zoneID: spec.zoneID,
            token: try self.cloudflareToken(spec: spec),
            baseURL: self.cloudflareEndpoint,
            transport: transport,
            clock: ContinuousClock(),
            retry: self.retry,
            logger: logger
        )
    }

    /// The GCE token source: a key file (flag, DD_GCE_CREDENTIALS, the spec), else the metadata server.
    func gceAuthorization(spec: GCEProviderSpec, transport: HTTPTransport) throws -> any AccessTokenProvider {
        guard let (keyJSON, source) = try self.gceKey(spec: spec) else {
            return MetadataServerTokenProvider(host: self.metadataHost, transport: transport)
        }
        let key: ServiceAccountKey
        do {
            key = try ServiceAccountKey.decode(Data(keyJSON))
        } catch {
            // The decoder's own words may quote the file: only the missing field is named.
            var missing = ""
            if case DecodingError.keyNotFound(let field, _) = error { missing = " (\(field.stringValue) is missing)" }
            throw CredentialError(
                description: "\(source) is not a service-account key\(missing): give the JSON key file of a service account (the value is not shown)"
            )
        }
        do {
            return try ServiceAccountTokenProvider(key: key, transport: transport)
        } catch {
            throw CredentialError(description: "\(source): the service-account key's private_key is not a usable PEM key (the value is not shown)")
        }
    }

    /// The service-account key's bytes and where they came from; nil when none is configured.
    /// The operator's file (flag, DD_GCE_CREDENTIALS) is always read; the fleet file's
    /// reference only where the secret policy allows it.
    private func gceKey(spec: GCEProviderSpec) throws -> ([UInt8], String)? {
        let field = "providers.gce.credentials"
        if let path = self.gceCredentials {
            do {
                return (try BoundedFile.read(path, maximumBytes: SecretLoader.maximumBytes), self.gceCredentialsNamed ?? path)
            } catch {
                throw CredentialError(description: "cannot read the GCE key file \(path): it \(error.explanation)")
            }
        }
        guard let reference = spec.credentials else { return nil }
        do {
            let key = try self.secrets.bytes(reference, field: field, fromSpec: true)
            // `{env: NAME}` holds the key itself, or the path of the key file: a value that is
            // neither may be any secret, so the error never shows it.
            guard case .environment = reference, key.first != UInt8(ascii: "{") else { return (key, "\(field) (\(reference))") }
            let path = String(decoding: key, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return (try BoundedFile.read(path, maximumBytes: SecretLoader.maximumBytes), "\(field) (\(reference))")
            } catch {
                throw SecretLoader.Failure(
                    description:
                        "\(field) (\(reference)) is neither a JSON key nor the path of a readable key file: the file it names \(error.explanation) (the value is not shown)"
                )
            }
        } catch {
            throw CredentialError(description: "\(error); set it, or pass --gce-credentials FILE")
        }
    }

    /// Where the GCE credentials come from, in the words a fix should use.
    func gceCredentialSource(spec: GCEProviderSpec) -> String {
        if let named = self.gceCredentialsNamed { return "the service account in \(named)" }
        if let reference = spec.credentials { return "the service account in providers.gce.credentials (\(reference))" }
        return "this VM's service account (from the metadata server)"
    }

    /// Where the Cloudflare token comes from, in the words a fix should use.
    func cloudflareTokenSource(spec: CloudflareProviderSpec) -> String {
        switch self.secrets.policy.cloudflareToken {
        case .environment(let name): return "\(name) (--cloudflare-token-env)"
        case .file(let path): return "\(path) (--cloudflare-token-file)"
        case nil: break
        }
        switch spec.apiToken {
        case .environment(let name): return "\(name) (providers.cloudflare.apiToken)"
        case .file(let path): return "\(path) (providers.cloudflare.apiToken)"
        case nil: return "providers.cloudflare.apiToken"
        }
    }

    /// The Cloudflare API token: the operator's `--cloudflare-token-file|env`, else the fleet
    /// file's reference where the secret policy allows it; checked as it is loaded.
    func cloudflareToken(spec: CloudflareProviderSpec) throws -> String {
        do {
            if let reference = self.secrets.policy.cloudflareToken {
                return try self.secrets.token(reference, field: "--cloudflare-token-\(reference.isFile ? "file" : "env")", fromSpec: false)
            }
            guard let reference = spec.apiToken else {
                throw CredentialError(description: "providers.cloudflare.apiToken is not set")
            }
            return try self.secrets.token(reference, field: "providers.cloudflare.apiToken", fromSpec: true)
        } catch let error as SecretLoader.Failure {
            throw CredentialError(description: error.description)
        }
    }
}
