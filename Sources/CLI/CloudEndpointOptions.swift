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

        init(options: CloudEndpointOptions, environment: ProcessEnvironment) {
            self.gceEndpoint = options.gceEndpoint ?? environment["DD_GCE_ENDPOINT"]
            self.cloudflareEndpoint = options.cloudflareEndpoint ?? environment["DD_CLOUDFLARE_ENDPOINT"]
            if let path = options.gceCredentials {
                (self.gceCredentials, self.gceCredentialsNamed) = (path, "--gce-credentials \(path)")
            } else if let path = environment["DD_GCE_CREDENTIALS"] {
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
            logger: logger
        )
    }

    /// The GCE token source: a key file (flag, DD_GCE_CREDENTIALS, the spec), else the metadata server.
    func gceAuthorization(spec: GCEProviderSpec, transport: HTTPTransport) throws -> any AccessTokenProvider {
        guard let (keyJSON, source) = try self.gceKey(spec: spec) else {
            return MetadataServerTokenProvider(host: self.metadataHost, transport: transport)
        }
        do {
            return try ServiceAccountTokenProvider(key: try ServiceAccountKey.decode(keyJSON), transport: transport)
        } catch {
            throw CredentialError(description: "\(source) is not a service-account key: \(error)")
        }
    }

    /// The service-account key's bytes and where they came from; nil when none is configured.
    private func gceKey(spec: GCEProviderSpec) throws -> (Data, String)? {
        if let path = self.gceCredentials {
            guard let key = FileManager.default.contents(atPath: path) else {
                throw CredentialError(description: "cannot read the GCE key file \(path)")
            }
            return (key, path)
        }
        guard let reference = spec.credentials else { return nil }
        let key: Data?
        switch reference {
        case .file(let path): key = FileManager.default.contents(atPath: path)
        case .environment(let name):
            let value = self.environment[name] ?? ""
            key = value.hasPrefix("{") ? Data(value.utf8) : FileManager.default.contents(atPath: value)
        }
        guard let key else {
            throw CredentialError(
                description: "providers.gce.credentials (\(reference)) gives no readable key; set it, or pass --gce-credentials FILE"
            )
        }
        return (key, reference.description)
    }

    /// Where the GCE credentials come from, in the words a fix should use.
    func gceCredentialSource(spec: GCEProviderSpec) -> String {
        if let named = self.gceCredentialsNamed { return "the service account in \(named)" }
        if let reference = spec.credentials { return "the service account in providers.gce.credentials (\(reference))" }
        return "this VM's service account (from the metadata server)"
    }

    /// Where the Cloudflare token comes from, in the words a fix should use.
    func cloudflareTokenSource(spec: CloudflareProviderSpec) -> String {
        switch spec.apiToken {
        case .environment(let name): "\(name) (providers.cloudflare.apiToken)"
        case .file(let path): "\(path) (providers.cloudflare.apiToken)"
        case nil: "providers.cloudflare.apiToken"
        }
    }

    /// The Cloudflare API token.
    func cloudflareToken(spec: CloudflareProviderSpec) throws -> String {
        guard let reference = spec.apiToken else {
            throw CredentialError(description: "providers.cloudflare.apiToken is not set")
        }
        let value: String?
        switch reference {
        case .environment(let name): value = self.environment[name]
        case .file(let path): value = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let token = value?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            throw CredentialError(description: "providers.cloudflare.apiToken (\(reference)) is empty or unset")
        }
        return token
    }
}
