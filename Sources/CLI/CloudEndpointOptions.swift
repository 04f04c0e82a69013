import ArgumentParser
import CloudflareProvider
import Foundation
import GCEProvider
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

    /// A GCE client for the fleet's project, with these endpoints and credentials.
    func gceClient(spec: GCEProviderSpec, transport: HTTPTransport) throws -> GCEClient<ContinuousClock> {
        GCEClient(
            project: spec.project,
            authorization: try self.gceAuthorization(spec: spec, transport: transport),
            baseURL: self.gceEndpoint ?? ProcessInfo.processInfo.environment["DD_GCE_ENDPOINT"],
            transport: transport,
            clock: ContinuousClock()
        )
    }

    /// A Cloudflare client for the fleet's account and zone, with these endpoints and its token.
    func cloudflareClient(spec: CloudflareProviderSpec, transport: HTTPTransport) throws -> CloudflareClient<ContinuousClock> {
        CloudflareClient(
            accountID: spec.accountID,
            zoneID: spec.zoneID,
            token: try self.cloudflareToken(spec: spec),
            baseURL: self.cloudflareEndpoint ?? ProcessInfo.processInfo.environment["DD_CLOUDFLARE_ENDPOINT"],
            transport: transport,
            clock: ContinuousClock()
        )
    }

    /// The GCE token source.
    func gceAuthorization(spec: GCEProviderSpec, transport: HTTPTransport) throws -> any AccessTokenProvider {
        let environment = ProcessInfo.processInfo.environment
        var keyJSON: Data?
        var source = ""
        if let path = self.gceCredentials ?? environment["DD_GCE_CREDENTIALS"] {
            source = path
            keyJSON = FileManager.default.contents(atPath: path)
            if keyJSON == nil { throw CredentialError(description: "cannot read the GCE key file \(path)") }
        } else if let reference = spec.credentials {
            source = reference.description
            switch reference {
            case .file(let path): keyJSON = FileManager.default.contents(atPath: path)
            case .environment(let name):
                let value = environment[name] ?? ""
                keyJSON = value.hasPrefix("{") ? Data(value.utf8) : FileManager.default.contents(atPath: value)
            }
            if keyJSON == nil {
                throw CredentialError(
                    description: "providers.gce.credentials (\(reference)) gives no readable key; set it, or pass --gce-credentials FILE"
                )
            }
        }
        guard let keyJSON else { return MetadataServerTokenProvider(host: Self.metadataHost, transport: transport) }
        do {
            return try ServiceAccountTokenProvider(key: try ServiceAccountKey.decode(keyJSON), transport: transport)
        } catch {
            throw CredentialError(description: "\(source) is not a service-account key: \(error)")
        }
    }

    /// The metadata server: `GCE_METADATA_HOST` (as Google's client libraries read it), else the
    /// one on every GCE VM.
    static var metadataHost: String {
        ProcessInfo.processInfo.environment["GCE_METADATA_HOST"] ?? MetadataServerTokenProvider.defaultHost
    }

    /// Where the GCE credentials come from, in the words a fix should use.
    func gceCredentialSource(spec: GCEProviderSpec) -> String {
        if let path = self.gceCredentials { return "the service account in --gce-credentials \(path)" }
        if let path = ProcessInfo.processInfo.environment["DD_GCE_CREDENTIALS"] { return "the service account in DD_GCE_CREDENTIALS (\(path))" }
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
        case .environment(let name): value = ProcessInfo.processInfo.environment[name]
        case .file(let path): value = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let token = value?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else {
            throw CredentialError(description: "providers.cloudflare.apiToken (\(reference)) is empty or unset")
        }
        return token
    }
}
