import Encoding
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import _CryptoExtras

/// A loopback emulator of the Compute Engine v1 API parts the fleet uses: instances (list with
/// filters and paging, aggregatedList, get, insert with `requestId`, delete, stop, start,
/// setLabels / setMetadata with 412 on stale fingerprints, serial port), zonal operations that go
/// PENDING → RUNNING → DONE over configurable durations (get and wait), images.getFromFamily,
/// and a service-account token endpoint that checks RS256 assertions. Errors use GCE's format;
/// TDX rules (TERMINATE on host maintenance) are enforced; stockouts come from fault rules.
/// The official `google-cloud-compute` SDK works against it unmodified (a test proves it).
public final class GCEEmulator: Sendable {
    /// How the emulator behaves.
    public struct Configuration: Sendable {
        /// The project.
        public var project: String
        /// Zones that exist.
        public var zones: [String]
        /// Bearer tokens accepted without the token endpoint.
        public var staticTokens: Set<String>
        /// How long an operation stays PENDING, then RUNNING.
        public var pendingDuration: Duration
        /// How long an operation runs before DONE.
        public var runningDuration: Duration
        /// How long a create or delete takes to show in lists.
        public var listLag: Duration
        /// Requests per minute per group (reads, lists, mutations, operations).
        public var requestsPerMinute: Int

        /// Creates a configuration.
        public init(
            project: String = "dd-emulated",
            zones: [String] = ["us-central1-a", "us-central1-c"],
            staticTokens: Set<String> = [],
            pendingDuration: Duration = .milliseconds(50),
            runningDuration: Duration = .milliseconds(150),
            listLag: Duration = .zero,
            requestsPerMinute: Int = 100_000
        ) {
            self.project = project
            self.zones = zones
            self.staticTokens = staticTokens
            self.pendingDuration = pendingDuration
            self.runningDuration = runningDuration
            self.listLag = listLag
            self.requestsPerMinute = requestsPerMinute
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// Requests served.
    public let journal: RequestJournal
    /// Injected faults.
    public let faults: FaultInjector
    /// Emulator time.
    public let clock: EmulatorClock
    let state = Mutex(GCEEmulatorState())
    let windows = Mutex<[String: RequestWindow]>([:])
    /// The service account whose key ``serviceAccountKey(tokenURI:)`` hands out.
    public let clientEmail: String
    let signingKey: _RSA.Signing.PrivateKey
    let keyID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")

    /// Creates an emulator (and its service-account RSA key).
    public init(
        configuration: Configuration = Configuration(),
        journal: RequestJournal = RequestJournal(),
        faults: FaultInjector = FaultInjector(),
        clock: EmulatorClock = EmulatorClock()
    ) throws {
        self.configuration = configuration
        self.journal = journal
        self.faults = faults
        self.clock = clock
        self.clientEmail = "devopsdefender@\(configuration.project).iam.gserviceaccount.com"
        self.signingKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// A service-account key file whose `token_uri` points at this emulator.
    public func serviceAccountKey(tokenURI: String) -> GCEServiceAccountKeyFile {
        GCEServiceAccountKeyFile(
            projectID: self.configuration.project,
            privateKeyID: self.keyID,
            privateKey: self.signingKey.pkcs8PEMRepresentation,
            clientEmail: self.clientEmail,
            tokenURI: tokenURI
        )
    }

    /// Adds instances directly (for tests and benchmarks), RUNNING, listed at once.
    @discardableResult
    public func seed(zone: String, names: [String], labels: [String: String], metadata: [String: String] = [:]) -> [String: UInt64] {
        self.state.withLock { state in
            var ids: [String: UInt64] = [:]
            for name in names {
                ids[name] = state.nextID + 1
                state.nextID += 1
                let key = GCEEmulatorState.key(zone, name)
                state.instances[key] = .init(
                    id: state.nextID,
                    name: name,
                    zone: zone,
                    machineType: "c3-standard-4",
                    status: "RUNNING",
                    labels: labels,
                    labelFingerprint: Self.fingerprint(),
                    metadataItems: metadata.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": $0.value] },
                    metadataFingerprint: Self.fingerprint(),
                    created: Date(),
                    confidentialType: "TDX",
                    onHostMaintenance: "TERMINATE",
                    listedFrom: .zero
                )
                state.order.append(key)
            }
            return ids
        }
    }

    // MARK: Routes

    /// One instance's metadata server: `instance/id`, `instance/name`, `instance/zone` and
    /// `instance/attributes/KEY`, in text, with the `Metadata-Flavor: Google` header required and
    /// answered, like the real one; 404 for an instance or attribute that does not exist.
    func instanceMetadata(_ request: Request, _ context: BasicRequestContext) -> Response {
        guard let flavor = HTTPField.Name("Metadata-Flavor"), request.headers[flavor] == "Google" else {
            return EmulatorResponse.json(.forbidden, ["error": "Missing Metadata-Flavor:Google header."])
        }
        let zone = context.parameters.get("zone") ?? ""
        let name = context.parameters.get("name") ?? ""
        let path = context.parameters.getCatchAll().joined(separator: "/")
        let value: String? = self.state.withLock { state in
            guard let instance = state.instances[GCEEmulatorState.key(zone, name)], !instance.deleted else { return nil }
            switch path {
            case "id": return String(instance.id)
            case "name": return instance.name
            case "zone": return "projects/\(self.configuration.project)/zones/\(instance.zone)"
            default:
                guard path.hasPrefix("attributes/") else { return nil }
                let key = String(path.dropFirst("attributes/".count))
                return instance.metadataItems.first { $0["key"] == key }?["value"]
            }
        }
        self.journal.record(.init(route: "gce metadata.get", method: "GET", status: value == nil ? 404 : 200))
        guard let value else {
            return Response(status: .notFound, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "Not Found")))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/text"
        if let flavor = HTTPField.Name("Metadata-Flavor") { headers[flavor] = "Google" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: value)))
    }

    /// Adds the `/compute/v1` routes and `/token` to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        self.addTokenRoutes(to: router)
        self.addInstanceMetadataRoutes(to: router)
        self.addZonalRoutes(to: router)
        self.addProjectRoutes(to: router)
    }

    /// The OAuth token endpoint (`/token`, for service-account JWT assertions) and the metadata
    /// server's default service-account token (`Metadata-Flavor: Google` required).
    private func addTokenRoutes(to router: Router<BasicRequestContext>) {
        router.post("/token") { request, _ in await self.token(request) }
        router.get("/computeMetadata/v1/instance/service-accounts/default/token") { request, _ -> Response in
            guard let flavor = HTTPField.Name("Metadata-Flavor"), request.headers[flavor] == "Google" else {
                return EmulatorResponse.json(.forbidden, ["error": "Missing Metadata-Flavor:Google header."])
            }
            let token = "ya29.metadata-" + UUID().uuidString.lowercased()
            self.state.withLock { _ = $0.tokens.insert(token) }
            self.journal.record(.init(route: "gce metadata.token", method: "GET", status: 200))
            return EmulatorResponse.json(.ok, ["access_token": token, "expires_in": 3599, "token_type": "Bearer"])
        }
    }

    /// Each instance's own metadata server, as the VM would see it at
    /// http://metadata.google.internal: point an agent's --metadata-host here.
    private func addInstanceMetadataRoutes(to router: Router<BasicRequestContext>) {
        router.get("/_emulator/vms/:zone/:name/computeMetadata/v1/instance/**") { request, context -> Response in
            self.instanceMetadata(request, context)
        }
    }

    /// The routes under `/compute/v1/projects/:project/zones/:zone`: instances and their
    /// operations, each behind the gate.
    private func addZonalRoutes(to router: Router<BasicRequestContext>) {
        let zone = "/compute/v1/projects/:project/zones/:zone"
        router.get(RouterPath(zone + "/instances")) { request, context in
            await self.gated(request, context, "instances.list", "lists", self.listInstances)
        }
        router.post(RouterPath(zone + "/instances")) { request, context in
            await self.gated(request, context, "instances.insert", "mutations", self.insert)
        }
        router.get(RouterPath(zone + "/instances/:name")) { request, context in
            await self.gated(request, context, "instances.get", "reads", self.getInstance)
        }
        router.delete(RouterPath(zone + "/instances/:name")) { request, context in
            await self.gated(request, context, "instances.delete", "mutations") { request, context in
                await self.simpleOperation(request, context, "delete")
            }
        }
        router.post(RouterPath(zone + "/instances/:name/stop")) { request, context in
            await self.gated(request, context, "instances.stop", "mutations") { request, context in
                await self.simpleOperation(request, context, "stop")
            }
        }
        router.post(RouterPath(zone + "/instances/:name/start")) { request, context in
            await self.gated(request, context, "instances.start", "mutations") { request, context in
                await self.simpleOperation(request, context, "start")
            }
        }
        router.post(RouterPath(zone + "/instances/:name/setLabels")) { request, context in
            await self.gated(request, context, "instances.setLabels", "mutations", self.setLabels)
        }
        router.post(RouterPath(zone + "/instances/:name/setMetadata")) { request, context in
            await self.gated(request, context, "instances.setMetadata", "mutations", self.setMetadata)
        }
        router.get(RouterPath(zone + "/instances/:name/serialPort")) { request, context in
            await self.gated(request, context, "instances.getSerialPortOutput", "reads", self.serialPort)
        }
        router.get(RouterPath(zone + "/operations/:operation")) { request, context in
            await self.gated(request, context, "operations.get", "operations", self.getOperation)
        }
        router.post(RouterPath(zone + "/operations/:operation/wait")) { request, context in
            await self.gated(request, context, "operations.wait", "operations", self.waitOperation)
        }
    }

    /// The project-wide routes, behind the gate: the aggregated instance list and
    /// images.getFromFamily.
    private func addProjectRoutes(to router: Router<BasicRequestContext>) {
        router.get("/compute/v1/projects/:project/aggregated/instances") { request, context in
            await self.gated(request, context, "instances.aggregatedList", "lists", self.aggregatedList)
        }
        router.get("/compute/v1/projects/:project/global/images/family/:family") { request, context in
            await self.gated(request, context, "images.getFromFamily", "reads", self.imageFromFamily)
        }
    }

    // MARK: Gate

    typealias Handler = @Sendable (Request, BasicRequestContext) async -> Response

    private func gated(_ request: Request, _ context: BasicRequestContext, _ route: String, _ group: String, _ handler: Handler) async -> Response {
        let response = await self.admit(request, context, route, group, handler)
        self.journal.record(.init(route: "gce \(route)", method: request.method.rawValue, status: Int(response.status.code)))
        return response
    }

    private func admit(_ request: Request, _ context: BasicRequestContext, _ route: String, _ group: String, _ handler: Handler) async -> Response {
        let token = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        // Access tokens from /token, static tokens, or a self-signed JWT of the service account
        // (what Google's client libraries send when `always_use_jwt_access` is on).
        guard let token,
            self.configuration.staticTokens.contains(token) || self.state.withLock({ $0.tokens.contains(token) })
                || self.verifyJWT(token, requireTokenAudience: false)
        else {
            return Self.error(
                .unauthorized,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential."
            )
        }
        // Images live in public image projects; everything else must be the emulated project.
        guard route == "images.getFromFamily" || context.parameters.get("project") == self.configuration.project else {
            return Self.error(
                .forbidden,
                "forbidden",
                "Required 'compute.instances.list' permission for 'projects/\(context.parameters.get("project") ?? "")'"
            )
        }
        if let zone = context.parameters.get("zone"), !self.configuration.zones.contains(zone) {
            return Self.error(.notFound, "notFound", "The resource 'projects/\(self.configuration.project)/zones/\(zone)' was not found")
        }
        let now = self.clock.now
        let perMinute = self.configuration.requestsPerMinute
        let allowed = self.windows.withLock { windows -> Bool in
            var window = windows[group] ?? RequestWindow(limit: perMinute, per: .seconds(60))
            defer { windows[group] = window }
            return window.admit(at: now) == nil
        }
        guard allowed else {
            return Self.error(
                .forbidden,
                "rateLimitExceeded",
                "Quota exceeded for quota metric '\(group)' and limit '\(group) per minute' of service 'compute.googleapis.com'"
            )
        }
        if let fault = self.faults.fault(for: route), fault.operationError == nil {
            if let delay = fault.delayMilliseconds { try? await Task.sleep(for: .milliseconds(delay)) }
            if fault.status >= 400 {
                let reason = fault.status == 429 ? "rateLimitExceeded" : fault.status >= 500 ? "backendError" : "invalid"
                var response = Self.error(HTTPResponse.Status(code: fault.status), reason, "injected fault: HTTP \(fault.status)")
                if let retryAfter = fault.retryAfterSeconds { response.headers[.retryAfter] = "\(retryAfter)" }
                return response
            }
        }
        return await handler(request, context)
    }

    static func error(_ status: HTTPResponse.Status, _ reason: String, _ message: String) -> Response {
        EmulatorResponse.json(
            status,
            ["error": ["code": Int(status.code), "message": message, "errors": [["message": message, "domain": "global", "reason": reason]]]]
        )
    }

    // MARK: Token endpoint

    private func token(_ request: Request) async -> Response {
        guard let buffer = try? await request.body.collect(upTo: 1 << 16) else { return Self.tokenError("invalid_request", "no body") }
        let form = String(decoding: buffer.readableBytesView, as: UTF8.self)
        var fields: [String: String] = [:]
        for pair in form.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        let response: Response
        if fields["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
            response = Self.tokenError("unsupported_grant_type", "Invalid grant_type")
        } else if let assertion = fields["assertion"], self.verifyJWT(assertion, requireTokenAudience: true) {
            let token = "ya29.emulated-" + UUID().uuidString.lowercased()
            self.state.withLock { _ = $0.tokens.insert(token) }
            response = EmulatorResponse.json(.ok, ["access_token": token, "expires_in": 3599, "token_type": "Bearer"])
        } else {
            response = Self.tokenError("invalid_grant", "Invalid JWT Signature.")
        }
        self.journal.record(.init(route: "gce oauth.token", method: "POST", status: Int(response.status.code)))
        return response
    }

    private static func tokenError(_ error: String, _ description: String) -> Response {
        EmulatorResponse.json(.badRequest, ["error": error, "error_description": description])
    }

    /// An RS256 JWT signed by this emulator's service-account key, issued by its account, not
    /// expired; for the token endpoint its audience must be the token URI.
    private func verifyJWT(_ assertion: String, requireTokenAudience: Bool) -> Bool {
        let parts = assertion.split(separator: ".").map(String.init)
        guard parts.count == 3, let claimsData = Self.base64URLDecode(parts[1]), let signature = Self.base64URLDecode(parts[2]),
            let claims = try? JSONSerialization.jsonObject(with: claimsData) as? [String: Any],
            claims["iss"] as? String == self.clientEmail,
            (claims["exp"] as? Double).map({ $0 > Date().timeIntervalSince1970 }) ?? false,
            !requireTokenAudience || (claims["aud"] as? String)?.hasSuffix("/token") == true
        else { return false }
        let signed = Data((parts[0] + "." + parts[1]).utf8)
        return self.signingKey.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature),
            for: signed,
            padding: .insecurePKCS1v1_5
        )
    }

    /// Lenient about padding, as Foundation's decoder was.
    static func base64URLDecode(_ text: String) -> Data? {
        Base64URL.decodeLenient(text).map { Data($0) }
    }
}
