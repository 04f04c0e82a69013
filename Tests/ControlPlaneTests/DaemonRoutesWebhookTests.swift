import ControlPlane
import Daemon
import Foundation
import ProviderSupport
import TestSupport
import Testing

/// `POST /hooks/github` on a real server: signature, events, replays, sizes, and that a delivery
/// only wakes the loops and never waits for them.
@Suite struct DaemonRoutesWebhookTests {
    static func environments() -> [FakeEnvironment] { [FakeEnvironment("production"), FakeEnvironment("staging")] }

    @Test("GitHub's published vector as a push: 202, and exactly one webhook wake per environment")
    func pushWakesEveryEnvironment() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let response = try await server.hook(event: "push", delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            #expect(response.status == 202, "\(response.text)")
            let object = try response.object()
            #expect(object["result"] as? String == "accepted")
            #expect(object["delivery"] as? String == "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            #expect(response.header("content-type") == "application/json")
            for environment in environments {
                #expect(environment.recorded.wakes == [.webhook], "\(environment.environment)")
                #expect(environment.recorded.statusReads == 0, "the webhook never asks the loop for its status")
            }
        }
    }

    @Test("ping answers 200 and wakes nothing; another event is 202 ignored and wakes nothing")
    func pingAndOtherEvents() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let ping = try await server.hook(event: "ping", delivery: "ping-1")
            #expect(ping.status == 200, "\(ping.text)")
            #expect(try ping.object()["result"] as? String == "pong")

            let issues = try await server.hook(event: "issues", delivery: "issues-1")
            #expect(issues.status == 202, "\(issues.text)")
            let object = try issues.object()
            #expect(object["result"] as? String == "ignored")
            #expect(object["event"] as? String == "issues")
            #expect(object["delivery"] as? String == "issues-1")

            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }
        }
    }

    @Test("refused signatures are 401 and wake nothing: missing, SHA-1 only, wrong, tampered body, malformed, doubled")
    func refusedSignatures() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let missing = try await server.hook(delivery: "d-missing", signature: nil)
            #expect(missing.status == 401, "\(missing.text)")
            #expect(missing.text.contains("no X-Hub-Signature-256"), "\(missing.text)")

            let onlySHA1 = try await server.hook(
                delivery: "d-sha1",
                signature: nil,
                extraHeaders: [("X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")]
            )
            #expect(onlySHA1.status == 401, "\(onlySHA1.text)")
            #expect(onlySHA1.text.contains("SHA-1"), "\(onlySHA1.text)")

            let wrong = try await server.hook(delivery: "d-wrong", signature: "sha256=" + String(repeating: "0", count: 64))
            #expect(wrong.status == 401, "\(wrong.text)")
            #expect(wrong.text.contains("does not match"), "\(wrong.text)")

            let tampered = try await server.hook(delivery: "d-tampered", body: Array("Hello, World?".utf8))
            #expect(tampered.status == 401, "\(tampered.text)")

            let otherSecret = try await server.hook(
                delivery: "d-secret",
                signature: DaemonRoutesServer.signature(DaemonRoutesServer.vectorBody, secret: "another secret")
            )
            #expect(otherSecret.status == 401, "\(otherSecret.text)")

            let malformed = try await server.hook(delivery: "d-malformed", signature: "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")
            #expect(malformed.status == 401, "\(malformed.text)")

            let doubled = try await server.hook(
                delivery: "d-doubled",
                extraHeaders: [("X-Hub-Signature-256", DaemonRoutesServer.vectorSignature)]
            )
            #expect(doubled.status == 401, "\(doubled.text)")

            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }
        }
    }

    @Test("a delivery id seen twice: the second is 409 and wakes nothing; a refused delivery does not use up its id")
    func replayedDelivery() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let first = try await server.hook(delivery: "replayed")
            #expect(first.status == 202, "\(first.text)")
            let second = try await server.hook(delivery: "replayed")
            #expect(second.status == 409, "\(second.text)")
            #expect(second.text.contains("replayed"), "\(second.text)")
            // A ping with a used id is a replay too.
            let ping = try await server.hook(event: "ping", delivery: "replayed")
            #expect(ping.status == 409, "\(ping.text)")

            // Someone without the secret cannot burn a delivery id GitHub will send later.
            let forged = try await server.hook(delivery: "not-yet-sent", signature: "sha256=" + String(repeating: "f", count: 64))
            #expect(forged.status == 401, "\(forged.text)")
            let genuine = try await server.hook(delivery: "not-yet-sent")
            #expect(genuine.status == 202, "\(genuine.text)")

            for environment in environments { #expect(environment.recorded.wakes == [.webhook, .webhook]) }
        }
    }

    @Test("a delivery id is a GUID: an 8 KiB X-GitHub-Delivery is refused rather than remembered")
    func overlongDeliveryID() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            // The signature covers the body only, so anyone holding one captured delivery can send
            // it again under fresh ids; each id the ledger keeps (up to 10,000 for an hour) should
            // therefore be small.
            let response = try await server.hook(delivery: String(repeating: "d", count: 8192))
            #expect(response.status == 400, "\(response.status): \(response.text.prefix(120))")
        }
    }

    @Test("a signed delivery without X-GitHub-Delivery is 400 and wakes nothing")
    func missingDeliveryID() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let response = try await server.hook(delivery: nil)
            #expect(response.status == 400, "\(response.text)")
            let empty = try await server.hook(delivery: "")
            #expect(empty.status == 400, "\(empty.text)")
            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }
        }
    }

    @Test("a body over 1 MiB with Content-Length is 413 and wakes nothing; exactly 1 MiB is accepted")
    func oversizedWithContentLength() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let over = [UInt8](repeating: UInt8(ascii: "a"), count: DaemonRoutes.maximumWebhookBody + 1)
            let refused = try await server.hook(delivery: "big", body: over, signature: DaemonRoutesServer.signature(over))
            #expect(refused.status == 413, "\(refused.text)")
            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }

            let limit = [UInt8](repeating: UInt8(ascii: "a"), count: DaemonRoutes.maximumWebhookBody)
            let accepted = try await server.hook(delivery: "at-limit", body: limit, signature: DaemonRoutesServer.signature(limit))
            #expect(accepted.status == 202, "\(accepted.text)")
            for environment in environments { #expect(environment.recorded.wakes == [.webhook]) }
        }
    }

    @Test("a chunked body over 1 MiB without Content-Length is 413 and wakes nothing")
    func oversizedChunked() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments) { server in
            let chunk = String(repeating: "a", count: 1 << 16)
            let chunks = DaemonRoutes.maximumWebhookBody / chunk.utf8.count + 1
            let whole = Array(String(repeating: chunk, count: chunks).utf8)
            var request = "POST /hooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
            request += "X-GitHub-Event: push\r\nX-GitHub-Delivery: chunked-big\r\n"
            request += "X-Hub-Signature-256: \(DaemonRoutesServer.signature(whole))\r\n\r\n"
            request += String(repeating: String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n", count: chunks)
            request += "0\r\n\r\n"
            let port = server.port
            // The server answers 413 and closes while the client may still be sending; on a
            // loaded machine the close can reset the connection before the answer is read (TCP
            // drops unread data on a reset), so a reset counts as a refusal too. What must hold:
            // no answer other than 413, nothing woken, the server healthy afterwards.
            let head = try? await TestEnvironment.offPool { [request] in
                let socket = try RawSocket(port: port)
                try socket.send(request)
                return String(decoding: try socket.receive(), as: UTF8.self)
            }
            #expect(head.map { $0.hasPrefix("HTTP/1.1 413") } ?? true, "\(head?.prefix(200) ?? "")")
            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }

            // The connection-level drain left the server healthy.
            let after = try await server.hook(delivery: "after-chunked")
            #expect(after.status == 202, "\(after.text)")
        }
    }

    @Test("with no secret configured every delivery is 401, saying how to enable webhooks")
    func noSecretConfigured() async throws {
        let environments = Self.environments()
        try await DaemonRoutesServer.with(environments: environments, webhookSecret: nil) { server in
            let response = try await server.hook(delivery: "no-secret")
            #expect(response.status == 401, "\(response.text)")
            #expect(response.text.contains("--webhook-secret-file"), "\(response.text)")
            for environment in environments { #expect(environment.recorded.wakes.isEmpty) }
        }
    }

    @Test("a push is answered while every loop is stuck in status(): the webhook path never awaits the loop")
    func pushNeverAwaitsTheLoop() async throws {
        let gate = Latch()
        let environments = [FakeEnvironment("production", statusGate: gate), FakeEnvironment("staging", statusGate: gate)]
        try await DaemonRoutesServer.with(environments: environments) { server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Whatever happens below, the stuck status request is let go before the group
                // (and then the server) wait for it.
                defer { gate.open() }
                group.addTask {
                    let status = try await server.get("/status")
                    #expect(status.status == 200)
                }
                var entered = environments[0].statusEntered.makeAsyncIterator()
                _ = await entered.next()

                // A path that awaited a loop would hang here until the gate opens: bound it.
                var bounded = server
                bounded.http = server.http.withTimeout(.seconds(60))
                let response = try await bounded.hook(delivery: "while-stuck")
                #expect(response.status == 202, "\(response.text)")
                for environment in environments { #expect(environment.recorded.wakes == [.webhook]) }
                // The first loop is still inside status(), which the test has not released.
                #expect(environments[0].recorded.statusReads == 1 && environments[1].recorded.statusReads == 0)
            }
        }
    }
}
