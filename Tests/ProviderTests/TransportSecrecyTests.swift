import Foundation
import Logging
import ProviderSupport
import Synchronization
import TestSupport
import Testing

/// The REST plumbing never renders a header value (a credential) into an error or a log line,
/// refuses a header HTTP cannot carry before sending it, and bounds the time a failing call
/// spends on retries, saying what it retries.
@Suite struct TransportSecrecyTests {
    static let token = "cf-canary-7f3a9c1b2e4d5a6b"

    /// A transport that fails every request the way AsyncHTTPClient does for a header it
    /// refuses: with an error whose text holds the header values.
    final class EchoingFailure: HTTPSending {
        let calls = Mutex(0)
        struct Failure: Error, CustomStringConvertible {
            var headers: [(String, String)]
            var description: String { "invalidHeaderFieldValues(\(self.headers.map { "\($0.0): \($0.1)" }))" }
        }
        func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?) async throws -> HTTPTransport.Response {
            self.calls.withLock { $0 += 1 }
            throw Failure(headers: headers)
        }
    }

    static func client(_ transport: any HTTPSending, token: String, log: CapturedLog, clock: TestClock, retry: RetryPolicy) -> RESTClient<TestClock> {
        RESTClient(
            configuration: .init(baseURL: "https://api.example.test/client/v4", provider: "cloudflare", retry: retry),
            transport: transport,
            authorization: StaticBearerToken(token),
            limiter: RateLimiter(clock: clock),
            clock: clock,
            logger: log.logger,
            decodeError: { operation, response in
                ProviderError(
                    .transient,
                    provider: "cloudflare",
                    operation: operation,
                    httpStatus: response.status,
                    message: "HTTP \(response.status)"
                )
            }
        )
    }

    static func request() -> RESTRequest { RESTRequest("GET", "/accounts/a/cfd_tunnel", operation: "tunnels.list", rateGroup: "cloudflare") }

    @Test("a transport error that renders the headers reaches neither the error nor the retry lines")
    func transportErrorsAreScrubbed() async throws {
        let log = CapturedLog()
        let transport = EchoingFailure()
        let client = Self.client(transport, token: Self.token, log: log, clock: TestClock(), retry: RetryPolicy(maximumAttempts: 3))
        do {
            _ = try await client.call(Self.request())
            Issue.record("the call succeeded")
        } catch {
            #expect(!"\(error)".contains(Self.token), "\(error)")
            #expect("\(error)".contains(Redaction.placeholder), "\(error)")
        }
        #expect(transport.calls.withLock { $0 } == 3)
        #expect(log.lines.count >= 2)
        for line in log.lines { #expect(!line.contains(Self.token), "\(line)") }
    }

    @Test("a token with a line break is refused before anything is sent, naming the header, never the value", arguments: ["\n", "\r\n", "\u{0}"])
    func forbiddenHeaderValues(_ separator: String) async throws {
        let log = CapturedLog()
        let transport = EchoingFailure()
        let token = "cf-canary-first" + separator + "cf-canary-second"
        let client = Self.client(transport, token: token, log: log, clock: TestClock(), retry: RetryPolicy(maximumAttempts: 6))
        let error = await #expect(throws: ProviderError.self) { _ = try await client.call(Self.request()) }
        #expect(error?.code == .permanent)
        #expect(error?.message.contains("Authorization") == true)
        #expect(transport.calls.withLock { $0 } == 0, "nothing was sent, nothing retried")
        for text in log.lines + ["\(String(describing: error))"] {
            #expect(!text.contains("cf-canary"), "\(text)")
        }
    }

    @Test("the real transport refuses a header value HTTP cannot carry, without showing it")
    func realTransportRefusesForbiddenHeaders() async throws {
        let transport = HTTPTransport(timeout: .seconds(2))
        do {
            _ = try await transport.send(method: "GET", url: "http://127.0.0.1:1/", headers: [("Authorization", "Bearer a\nb-canary-value")])
            Issue.record("sent")
        } catch {
            #expect(error is HTTPTransport.ForbiddenHeaderValue, "\(error)")
            #expect(!"\(error)".contains("canary-value") && "\(error)".contains("Authorization"), "\(error)")
        }
    }

    @Test("retries of a call without an answer stop within the time budget, each announced with host, operation, attempt n/N and wait")
    func retryBudget() async throws {
        let log = CapturedLog()
        let clock = TestClock()
        let transport = EchoingFailure()
        let retry = RetryPolicy(maximumAttempts: 50, baseDelay: .seconds(4), maximumDelay: .seconds(30), maximumElapsed: .seconds(60))
        let client = Self.client(transport, token: Self.token, log: log, clock: clock, retry: retry)
        let error = await #expect(throws: ProviderError.self) { _ = try await client.call(Self.request()) }
        let waited = clock.sleeps.reduce(Duration.zero, +)
        #expect(waited < .seconds(60), "\(clock.sleeps)")
        #expect(transport.calls.withLock { $0 } < 50, "the budget, not the attempts, ended it")
        #expect(error?.message.contains("gave up after") == true, "\(String(describing: error))")
        let retries = log.lines.filter { $0.hasPrefix("retrying") }
        #expect(retries.count == clock.sleeps.count)
        let first = try #require(retries.first)
        #expect(first.contains("cloudflare tunnels.list at api.example.test") && first.contains("(attempt 2/50) in "), "\(first)")
        #expect(log.lines.contains { $0.hasPrefix("giving up on cloudflare tunnels.list") }, "\(log.lines)")
        for line in log.lines { #expect(!line.contains(Self.token)) }
    }

    /// Fails each attempt once it has taken `attemptTakes` on the test clock (or its timeout, if
    /// shorter), recording when each started and the timeout it was given.
    final class SlowFailure: HTTPSending {
        struct TimedOut: Error {}
        let clock: TestClock
        let attemptTakes: Duration
        let attempts = Mutex<[(startedAt: Duration, timeout: Duration?)]>([])

        init(clock: TestClock, attemptTakes: Duration) {
            self.clock = clock
            self.attemptTakes = attemptTakes
        }

        func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?) async throws -> HTTPTransport.Response {
            try await self.send(method: method, url: url, headers: headers, body: body, timeout: nil)
        }

        func send(
            method: String,
            url: String,
            headers: [(String, String)],
            body: [UInt8]?,
            timeout: Duration?
        ) async throws -> HTTPTransport.Response {
            self.attempts.withLock { $0.append((self.clock.now.offset, timeout)) }
            try await self.clock.sleep(for: min(self.attemptTakes, timeout ?? self.attemptTakes))
            throw TimedOut()
        }
    }

    @Test("each attempt's timeout is what is left of the retry budget: slow attempts cannot stretch a call past it")
    func attemptTimeoutsAreCutToTheBudget() async throws {
        let clock = TestClock()
        let transport = SlowFailure(clock: clock, attemptTakes: .seconds(25))
        let retry = RetryPolicy(maximumAttempts: 50, baseDelay: .seconds(1), maximumDelay: .seconds(2), maximumElapsed: .seconds(60))
        let client = Self.client(transport, token: Self.token, log: CapturedLog(), clock: clock, retry: retry)
        await #expect(throws: ProviderError.self) { _ = try await client.call(Self.request()) }
        let attempts = transport.attempts.withLock { $0 }
        #expect(attempts.count >= 3, "\(attempts)")
        for attempt in attempts {
            #expect(attempt.timeout == .seconds(60) - attempt.startedAt, "the budget left when the attempt started: \(attempts)")
        }
        #expect(clock.now.offset <= .seconds(60), "the call ended within its budget, at \(clock.now.offset)")
    }

    @Test("a provider's own pacing (429 with Retry-After) is waited out past the budget, bounded by the attempts")
    func pacingIsNotCutShort() async throws {
        let retry = RetryPolicy(maximumElapsed: .seconds(10))
        let paced = ProviderError(.rateLimited, provider: "cloudflare", operation: "x", message: "slow down", retryAfter: .seconds(30))
        #expect(retry.fitsBudget(paced, elapsed: .seconds(5), wait: .seconds(30)))
        let failed = ProviderError(.transient, provider: "cloudflare", operation: "x", message: "no answer")
        #expect(!retry.fitsBudget(failed, elapsed: .seconds(5), wait: .seconds(6)))
        #expect(retry.fitsBudget(failed, elapsed: .seconds(5), wait: .seconds(4)))
    }

    @Test("host(of:) keeps neither user information, path nor query")
    func hostOnly() {
        #expect(Redaction.host(of: "https://user:secret@api.example.test:8443/a/b?token=x") == "api.example.test:8443")
        #expect(Redaction.host(of: "http://127.0.0.1:1") == "127.0.0.1:1")
    }
}

/// Log lines kept in memory, rendered as `message key=value…`.
final class CapturedLog: Sendable {
    private let entries = Mutex<[String]>([])

    var lines: [String] { self.entries.withLock { $0 } }

    var logger: Logger {
        var logger = Logger(label: "test.captured") { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
            let rendered = ([event.message.description] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
            self.log.entries.withLock { $0.append(rendered) }
        }
    }
}
