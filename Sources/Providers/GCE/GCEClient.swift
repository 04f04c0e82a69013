import Foundation
import Logging
import ProviderSupport

/// A client for the Compute Engine v1 API: instances (list with label filters and paging,
/// aggregatedList, get, insert of TDX VMs with a `requestId`, delete, stop, setLabels /
/// setMetadata with fingerprints), zonal operations (polled or waited until DONE, failures inside
/// a DONE operation surfaced as errors), images.getFromFamily and serial port output.
public struct GCEClient<C: Clock>: Sendable where C.Duration == Duration {
    /// The project.
    public let project: String
    /// The REST plumbing.
    public let rest: RESTClient<C>
    /// Instances per list page (the API allows up to 500).
    public var pageSize = 500

    /// The real API.
    public static var defaultBaseURL: String { "https://compute.googleapis.com/compute/v1" }

    /// Creates a client over a configured ``RESTClient``.
    public init(project: String, rest: RESTClient<C>) {
        self.project = project
        self.rest = rest
    }

    /// Creates a client for `baseURL` (nil: the real API).
    public init(
        project: String,
        authorization: any AccessTokenProvider,
        baseURL: String? = nil,
        transport: any HTTPSending = HTTPTransport(),
        clock: C,
        limit: RateLimit = .gcePerMinute,
        retry: RetryPolicy = RetryPolicy(),
        logger: Logger = .discarding
    ) {
        let base = baseURL ?? Self.defaultBaseURL
        let rest = RESTClient(
            configuration: .init(baseURL: base, provider: "gce", retry: retry),
            transport: transport,
            authorization: authorization,
            limiter: RateLimiter(clock: clock, defaultLimit: limit),
            clock: clock,
            logger: logger,
            decodeError: GCEErrorDecoder.decode
        )
        self.init(project: project, rest: rest)
    }

    private func zonePath(_ zone: String) -> String { "/projects/\(self.project)/zones/\(zone)" }

    /// Instances in `zone` matching `filter` (e.g. `labels.dd-fleet = prod`), over every page.
    public func listInstances(zone: String, filter: String? = nil) async throws -> [GCEInstance] {
        try await Paging.collect(provider: "gce", operation: "instances.list") { (token: String?) in
            var query = [("maxResults", String(self.pageSize))]
            if let filter { query.append(("filter", filter)) }
            if let token { query.append(("pageToken", token)) }
            let page = try await self.rest.call(
                RESTRequest("GET", "\(self.zonePath(zone))/instances", query: query, operation: "instances.list", rateGroup: "gce.reads"),
                as: GCEInstanceList.self
            )
            return (page.items ?? [], page.nextPageToken)
        }
    }

    /// Instances in every zone matching `filter`. Unreachable zones make the list partial, which
    /// throws rather than returning what was reachable.
    public func aggregatedInstances(filter: String? = nil) async throws -> [String: [GCEInstance]] {
        let scopes: [(String, [GCEInstance])] = try await Paging.collect(provider: "gce", operation: "instances.aggregatedList") { (token: String?) in
            var query = [("maxResults", String(self.pageSize))]
            if let filter { query.append(("filter", filter)) }
            if let token { query.append(("pageToken", token)) }
            let page = try await self.rest.call(
                RESTRequest(
                    "GET",
                    "/projects/\(self.project)/aggregated/instances",
                    query: query,
                    operation: "instances.aggregatedList",
                    rateGroup: "gce.reads"
                ),
                as: GCEAggregatedInstanceList.self
            )
            if let unreachable = page.unreachables, !unreachable.isEmpty {
                throw ProviderError(
                    .transient,
                    provider: "gce",
                    operation: "instances.aggregatedList",
                    message: "unreachable: \(unreachable.joined(separator: ", "))"
                )
            }
            return ((page.items ?? [:]).map { ($0.key, $0.value.instances ?? []) }, page.nextPageToken)
        }
        return scopes.reduce(into: [:]) { $0[String($1.0.dropFirst("zones/".count)), default: []] += $1.1 }
    }

    /// One instance.
    public func instance(zone: String, name: String) async throws -> GCEInstance {
        try await self.rest.call(
            RESTRequest("GET", "\(self.zonePath(zone))/instances/\(name)", operation: "instances.get", rateGroup: "gce.reads"),
            as: GCEInstance.self
        )
    }

    /// Inserts a TDX VM. The `requestId` makes retries idempotent: GCE returns the same operation.
    public func insert(_ spec: GCEInstanceSpec, requestID: String) async throws -> GCEOperation {
        let body = try JSONSerialization.data(withJSONObject: spec.body, options: [.sortedKeys])
        return try await self.mutate(
            RESTRequest(
                "POST",
                "\(self.zonePath(spec.zone))/instances",
                query: [("requestId", requestID)],
                body: Array(body),
                operation: "instances.insert",
                rateGroup: "gce.mutations",
                idempotent: true
            )
        )
    }

    /// Deletes an instance.
    public func delete(zone: String, name: String, requestID: String) async throws -> GCEOperation {
        try await self.mutate(
            RESTRequest(
                "DELETE",
                "\(self.zonePath(zone))/instances/\(name)",
                query: [("requestId", requestID)],
                operation: "instances.delete",
                rateGroup: "gce.mutations"
            )
        )
    }

    /// Stops an instance (it stays, TERMINATED).
    public func stop(zone: String, name: String, requestID: String) async throws -> GCEOperation {
        try await self.mutate(
            RESTRequest(
                "POST",
                "\(self.zonePath(zone))/instances/\(name)/stop",
                query: [("requestId", requestID)],
                operation: "instances.stop",
                rateGroup: "gce.mutations",
                idempotent: true
            )
        )
    }

    /// Starts a stopped (TERMINATED) instance.
    public func start(zone: String, name: String, requestID: String) async throws -> GCEOperation {
        try await self.mutate(
            RESTRequest(
                "POST",
                "\(self.zonePath(zone))/instances/\(name)/start",
                query: [("requestId", requestID)],
                operation: "instances.start",
                rateGroup: "gce.mutations",
                idempotent: true
            )
        )
    }

    /// Replaces the labels; `fingerprint` must be the current `labelFingerprint` (412 otherwise).
    public func setLabels(zone: String, name: String, labels: [String: String], fingerprint: String) async throws -> GCEOperation {
        let body = try JSONSerialization.data(
            withJSONObject: ["labels": labels, "labelFingerprint": fingerprint] as [String: Any],
            options: [.sortedKeys]
        )
        return try await self.mutate(
            RESTRequest(
                "POST",
                "\(self.zonePath(zone))/instances/\(name)/setLabels",
                body: Array(body),
                operation: "instances.setLabels",
                rateGroup: "gce.mutations",
                idempotent: true
            )
        )
    }

    /// Replaces every metadata item; `fingerprint` must be the current one (412 otherwise).
    public func setMetadata(zone: String, name: String, items: [GCEMetadata.Item], fingerprint: String) async throws -> GCEOperation {
        let body = try JSONEncoder().encode(GCEMetadata(fingerprint: fingerprint, items: items))
        return try await self.mutate(
            RESTRequest(
                "POST",
                "\(self.zonePath(zone))/instances/\(name)/setMetadata",
                body: Array(body),
                operation: "instances.setMetadata",
                rateGroup: "gce.mutations",
                idempotent: true
            )
        )
    }

    /// An operation's current state.
    public func operation(zone: String, name: String) async throws -> GCEOperation {
        try await self.rest.call(
            RESTRequest("GET", "\(self.zonePath(zone))/operations/\(name)", operation: "operations.get", rateGroup: "gce.operations"),
            as: GCEOperation.self
        )
    }

    /// Waits (server-side `wait`, looped) until the operation is DONE; a DONE operation carrying
    /// errors (a stockout, a quota) throws, classified.
    public func waitUntilDone(_ operation: GCEOperation, zone: String) async throws -> GCEOperation {
        var current = operation
        while current.status != "DONE" {
            current = try await self.rest.call(
                RESTRequest(
                    "POST",
                    "\(self.zonePath(zone))/operations/\(current.name)/wait",
                    operation: "operations.wait",
                    rateGroup: "gce.operations",
                    idempotent: true
                ),
                as: GCEOperation.self
            )
        }
        if let entry = current.error?.errors.first {
            let code: ProviderError.Code =
                switch entry.code {
                case "ZONE_RESOURCE_POOL_EXHAUSTED", "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS": .transient
                case "QUOTA_EXCEEDED": .quotaWindow
                case "RESOURCE_ALREADY_EXISTS", "CONDITION_NOT_MET": .conflict
                case "RESOURCE_NOT_FOUND": .notFound
                default: .permanent
                }
            throw ProviderError(
                code,
                provider: "gce",
                operation: current.operationType.map { "instances.\($0)" } ?? "operation",
                httpStatus: current.httpErrorStatusCode,
                providerCode: entry.code,
                message: entry.message ?? entry.code
            )
        }
        return current
    }

    /// The newest non-deprecated image of a family.
    public func imageFromFamily(project: String, family: String) async throws -> GCEImage {
        try await self.rest.call(
            RESTRequest("GET", "/projects/\(project)/global/images/family/\(family)", operation: "images.getFromFamily", rateGroup: "gce.reads"),
            as: GCEImage.self
        )
    }

    /// Serial port output from byte `start` (negative: the last bytes).
    public func serialPortOutput(zone: String, name: String, port: Int = 1, start: Int = 0) async throws -> GCESerialPortOutput {
        try await self.rest.call(
            RESTRequest(
                "GET",
                "\(self.zonePath(zone))/instances/\(name)/serialPort",
                query: [("port", String(port)), ("start", String(start))],
                operation: "instances.getSerialPortOutput",
                rateGroup: "gce.reads"
            ),
            as: GCESerialPortOutput.self
        )
    }

    private func mutate(_ request: RESTRequest) async throws -> GCEOperation {
        try await self.rest.call(request, as: GCEOperation.self)
    }
}
