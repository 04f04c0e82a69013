import Crypto
import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Reconciler
import SourceVerification
import Synchronization

/// The daemon's HTTP routes: `GET /status`, `GET /plans/ENV`, `POST /hooks/github` (a signed
/// delivery only wakes the loops), and the admin routes `POST /approve`,
/// `POST /environments/ENV/suspend|resume` (a bearer token from a file).
public struct DaemonRoutes: Sendable {
    /// The largest webhook body read; a larger one is refused (413) without reading further.
    public static let maximumWebhookBody = 1 << 20

    /// The environments this control plane reconciles.
    public var environments: [any EnvironmentControl]
    /// The source, for the status.
    public var source: SourceDescription?
    /// Verifies deliveries; nil refuses every delivery (no secret configured).
    public var webhook: WebhookSignatureVerifier?
    /// The admin token; nil disables the admin routes.
    public var adminToken: String?
    /// Wall time, in seconds since 1970.
    public var now: @Sendable () -> Int64
    /// Recent delivery ids.
    let deliveries: DeliveryLedger
    /// Counts webhook deliveries.
    public var metrics: WebhookMetrics

    /// Creates the routes.
    public init(
        environments: [any EnvironmentControl],
        source: SourceDescription?,
        webhook: WebhookSignatureVerifier?,
        adminToken: String?,
        now: @escaping @Sendable () -> Int64,
        metrics: WebhookMetrics = WebhookMetrics()
    ) {
        self.environments = environments
        self.source = source
        self.webhook = webhook
        self.adminToken = adminToken?.isEmpty == true ? nil : adminToken
        self.now = now
        self.deliveries = DeliveryLedger()
        self.metrics = metrics
    }

    /// Adds the routes to `router`.
    func add<Context: RequestContext>(to router: Router<Context>) {
        let routes = self
        router.get("/status") { _, _ in await routes.status() }
        router.get("/plans/:environment") { request, context in
            await routes.plan(context.parameters.get("environment") ?? "", format: request.uri.queryParameters["format"].map(String.init))
        }
        router.post("/hooks/github") { request, _ in await routes.hook(request) }
        router.post("/approve") { request, _ in await routes.approve(request) }
        router.post("/environments/:environment/:verb") { request, context in
            routes.control(request, environment: context.parameters.get("environment") ?? "", verb: context.parameters.get("verb") ?? "")
        }
    }

    // MARK: Reads

    func status() async -> Response {
        var environments: [EnvironmentStatus] = []
        for environment in self.environments { environments.append(await environment.status()) }
        let document = StatusDocument(generatedAt: self.now(), source: self.source, environments: environments)
        return Self.encoded(document)
    }

    func plan(_ name: String, format: String?) async -> Response {
        guard let environment = self.environments.first(where: { $0.environment == name }) else {
            return Self.error(.notFound, "this control plane does not reconcile '\(name)'; it reconciles \(self.names)")
        }
        guard let plan = await environment.lastPlan() else {
            return Self.error(.notFound, "no plan for \(name) yet: the first pass has not planned")
        }
        var response: Response
        switch format ?? "json" {
        case "json": response = Self.text(plan.json, type: "application/json")
        case "markdown": response = Self.text(plan.markdown, type: "text/markdown; charset=utf-8")
        default: return Self.error(.badRequest, "format must be json or markdown")
        }
        // The commit the plan was made at: after a pass that could not plan, it is an older one.
        if let name = HTTPField.Name("X-DevOpsDefender-Revision") { response.headers[name] = plan.revision.hex }
        return response
    }

    var names: String { self.environments.map(\.environment).joined(separator: ", ") }

    // MARK: Helpers

    static func encoded(_ value: some Encodable) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Self.text(String(decoding: data, as: UTF8.self) + "\n", type: "application/json")
    }

    static func text(_ body: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Self.encoded(["error": message]).with(status: status)
    }
}

extension Response {
    /// The same response with another status.
    func with(status: HTTPResponse.Status) -> Response {
        var response = self
        response.status = status
        return response
    }
}
