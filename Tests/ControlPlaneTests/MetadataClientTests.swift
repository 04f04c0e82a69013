import Agent
import Foundation
import ProviderSupport
import Synchronization
import TestSupport
import Testing

/// The agent's metadata reads at boot: a server that is slow or failing for a moment is asked
/// again; an answer, even a refusal, is final.
@Suite struct MetadataClientTests {
    /// Answers each request with the next scripted status (nil: no answer, a transport error).
    final class ScriptedServer: HTTPSending {
        struct NoAnswer: Error {}
        let script: Mutex<[Int?]>
        let requests = Mutex(0)

        init(_ script: [Int?]) { self.script = Mutex(script) }

        func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?) async throws -> HTTPTransport.Response {
            self.requests.withLock { $0 += 1 }
            let next = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            guard let status = next else { throw NoAnswer() }
            return HTTPTransport.Response(status: status, body: Array("value-\(status)".utf8))
        }
    }

    static func client(_ server: ScriptedServer, clock: TestClock) -> MetadataClient {
        var client = MetadataClient(host: "metadata.test", http: server)
        client.clock = clock
        return client
    }

    @Test("no answer, then a 503: asked again after 1 s and 2 s, and the third answer is read")
    func transientFailuresAreRetried() async throws {
        let server = ScriptedServer([nil, 503, 200])
        let clock = TestClock()
        #expect(try await Self.client(server, clock: clock).get("instance/id") == "value-200")
        #expect(server.requests.withLock { $0 } == 3)
        #expect(clock.sleeps == [.seconds(1), .seconds(2)])
    }

    @Test("a 404 is an answer: no retry; and retries end after the last delay")
    func answersAndExhaustionAreFinal() async throws {
        let missing = ScriptedServer([404])
        let clock = TestClock()
        await #expect(throws: MetadataClient.Failure.self) { _ = try await Self.client(missing, clock: clock).get("instance/id") }
        #expect(missing.requests.withLock { $0 } == 1 && clock.sleeps.isEmpty)
        let down = ScriptedServer([nil, nil, nil, 200])
        await #expect(throws: ScriptedServer.NoAnswer.self) { _ = try await Self.client(down, clock: TestClock()).get("instance/id") }
        #expect(down.requests.withLock { $0 } == 3)
    }
}
