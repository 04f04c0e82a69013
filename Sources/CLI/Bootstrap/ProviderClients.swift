import CloudflareProvider
import GCEProvider
import Logging
import ProviderSupport
import Spec

/// The cloud clients of one process, built once at its composition root: one HTTP transport (the
/// shared connection pool), one client — so one rate limiter and one token cache — per provider
/// credential, each secret resolved once. Whatever in the process calls a provider (registration,
/// reconciliation, observation) is handed these, so they share one API budget.
struct ProviderClients: Sendable {
    /// The transport every client uses.
    let transport: HTTPTransport
    /// Compute Engine, for the fleet's project; nil when the process does not use GCE.
    let gce: GCEClient<ContinuousClock>?
    /// Cloudflare, for the fleet's account and zone.
    let cloudflare: CloudflareClient<ContinuousClock>
    /// Where the GCE credentials come from, in the words a fix should use.
    let gceCredentialSource: String
    /// Where the Cloudflare token comes from, in the words a fix should use.
    let cloudflareTokenSource: String

    /// Builds the clients `spec` names, with `endpoints` and `environment` (GCE only when
    /// `includingGCE`), logging through `logger`. `specChosenSecrets` false (`plan`): the fleet
    /// file's secret sources are read only where the operator allowed them.
    /// - Throws: ``CloudEndpointOptions/CredentialError`` when a credential cannot be resolved.
    static func connect(
        spec: FleetSpec,
        endpoints: CloudEndpointOptions,
        environment: ProcessEnvironment,
        logger: Logger,
        includingGCE: Bool = true,
        specChosenSecrets: Bool = true
    ) throws -> ProviderClients {
        let transport = HTTPTransport()
        let configuration = CloudEndpointOptions.Resolved(options: endpoints, environment: environment, specChosenSecrets: specChosenSecrets)
        var gceLogger = logger
        gceLogger[metadataKey: "provider"] = "gce"
        var cloudflareLogger = logger
        cloudflareLogger[metadataKey: "provider"] = "cloudflare"
        return ProviderClients(
            transport: transport,
            gce: includingGCE ? try configuration.gceClient(spec: spec.gce, transport: transport, logger: gceLogger) : nil,
            cloudflare: try configuration.cloudflareClient(spec: spec.cloudflare, transport: transport, logger: cloudflareLogger),
            gceCredentialSource: configuration.gceCredentialSource(spec: spec.gce),
            cloudflareTokenSource: configuration.cloudflareTokenSource(spec: spec.cloudflare)
        )
    }

    /// The GCE client, for processes that connected with it.
    func requiredGCE() throws(CloudEndpointOptions.CredentialError) -> GCEClient<ContinuousClock> {
        guard let gce = self.gce else { throw CloudEndpointOptions.CredentialError(description: "this process has no GCE client") }
        return gce
    }

    /// The reconciler's compute port over the GCE client.
    func compute() throws(CloudEndpointOptions.CredentialError) -> GCEComputeAdapter<ContinuousClock> {
        GCEComputeAdapter(client: try self.requiredGCE(), credentialSource: self.gceCredentialSource)
    }

    /// The reconciler's tunnel and DNS ports over the Cloudflare client.
    var edge: CloudflareFleetAdapter<ContinuousClock> {
        CloudflareFleetAdapter(client: self.cloudflare, tokenSource: self.cloudflareTokenSource)
    }

    /// Every call the clients made.
    var apiCalls: Int { (self.gce?.rest.metrics.totalRequests ?? 0) + self.cloudflare.rest.metrics.totalRequests }
}
