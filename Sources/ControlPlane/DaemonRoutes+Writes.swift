import Crypto
import Daemon
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Reconciler
import SourceVerification

extension DaemonRoutes {
    /// `POST /hooks/github`: verified over the raw body before anything is parsed; a valid
    /// `push` wakes every loop (the payload is never trusted for the revision: the loop asks git).
    /// Every delivery is counted by how it was answered.
    func hook(_ request: Request) async -> Response {
        let (result, response) = await self.receive(request)
        self.metrics.delivered(result)
        return response
    }

    private func receive(_ request: Request) async -> (WebhookMetrics.Result, Response) {
        guard let webhook = self.webhook else {
            return (.unauthorized, Self.error(.unauthorized, "webhooks are disabled: start the control plane with --webhook-secret-file"))
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > Self.maximumWebhookBody {
            return (.tooLarge, Self.error(.contentTooLarge, "the body is over \(Self.maximumWebhookBody) bytes"))
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maximumWebhookBody)
        } catch {
            return (.tooLarge, Self.error(.contentTooLarge, "the body is over \(Self.maximumWebhookBody) bytes"))
        }
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        let verdict = webhook.verify(body: Array(body.readableBytesView), headers: headers)
        guard verdict == .valid else { return (.unauthorized, Self.error(.unauthorized, "signature refused: \(verdict)")) }
        guard let delivery = Self.header("X-GitHub-Delivery", of: request), DeliveryLedger.isWellFormed(delivery) else {
            return (.badRequest, Self.error(.badRequest, "X-GitHub-Delivery must be a delivery id (up to 64 letters, digits and dashes)"))
        }
        guard self.deliveries.admit(delivery) else {
            return (.replayed, Self.error(.conflict, "delivery \(delivery) was already received"))
        }
        switch Self.header("X-GitHub-Event", of: request) ?? "" {
        case "push":
            for environment in self.environments { environment.wake(.webhook) }
            return (.accepted, Self.encoded(["result": "accepted", "delivery": delivery]).with(status: .accepted))
        case "ping":
            return (.ping, Self.encoded(["result": "pong", "delivery": delivery]))
        case let event:
            return (.ignored, Self.encoded(["result": "ignored", "event": event, "delivery": delivery]).with(status: .accepted))
        }
    }

    /// A header's value, by name.
    private static func header(_ name: String, of request: Request) -> String? {
        HTTPField.Name(name).flatMap { request.headers[$0] }
    }

    /// `POST /approve` `{"revision": SHA, "environment": ENV?}`: lets a revision that does not
    /// fast-forward be applied (every environment when none is named).
    func approve(_ request: Request) async -> Response {
        if let refusal = self.refuseUnlessAdmin(request) { return refusal }
        struct Body: Decodable {
            var revision: String
            var environment: String?
        }
        guard let bytes = try? await request.body.collect(upTo: 4096),
            let body = try? JSONDecoder().decode(Body.self, from: Data(bytes.readableBytesView)),
            let revision = Revision(body.revision)
        else {
            return Self.error(.badRequest, "send {\"revision\": \"<40-hex commit id>\", \"environment\": \"<name>\"}")
        }
        let named = self.environments.filter { body.environment == nil || $0.environment == body.environment }
        guard !named.isEmpty else { return Self.error(.notFound, "this control plane reconciles \(self.names)") }
        var targets: [any EnvironmentControl] = []
        for environment in named where await Self.isStalled(environment, on: revision) { targets.append(environment) }
        guard !targets.isEmpty else {
            return Self.error(
                .conflict,
                "no environment is stalled on \(revision.short) (NonFastForward); approve the head GET /status shows as observedRevision"
            )
        }
        for environment in targets { await environment.approve(revision) }
        return Self.encoded(["approved": revision.hex, "environments": targets.map(\.environment).joined(separator: ",")])
    }

    /// True when `environment` waits for an approval of `revision`: a head that does not
    /// fast-forward. An approval of anything else would linger and let a later force-push through.
    static func isStalled(_ environment: any EnvironmentControl, on revision: Revision) async -> Bool {
        let status = await environment.status()
        return status.observedRevision == revision && status.conditions[.stalled].status == .true
            && status.conditions[.stalled].reason == "NonFastForward"
    }

    /// `POST /environments/ENV/suspend` and `…/resume`.
    func control(_ request: Request, environment name: String, verb: String) -> Response {
        if let refusal = self.refuseUnlessAdmin(request) { return refusal }
        guard let environment = self.environments.first(where: { $0.environment == name }) else {
            return Self.error(.notFound, "this control plane reconciles \(self.names)")
        }
        switch verb {
        case "suspend": environment.suspend()
        case "resume": environment.resume()
        default: return Self.error(.notFound, "use suspend or resume")
        }
        return Self.encoded(["environment": name, "result": verb == "suspend" ? "suspended" : "resumed"])
    }

    /// nil when the request carries the admin token (compared in constant time); else the refusal.
    func refuseUnlessAdmin(_ request: Request) -> Response? {
        guard let token = self.adminToken else {
            return Self.error(.forbidden, "admin routes are disabled: start the control plane with --admin-token-file")
        }
        guard !token.isEmpty else {
            return Self.error(.forbidden, "admin routes are disabled: the admin token is empty")
        }
        let given = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let key = SymmetricKey(size: .bits256)
        let expected = HMAC<SHA256>.authenticationCode(for: Array(token.utf8), using: key)
        guard HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: Array(given.utf8), using: key) else {
            return Self.error(.unauthorized, "a valid admin token is required (Authorization: Bearer <token>)")
        }
        return nil
    }
}
