import Foundation
import Logging

/// The REST plumbing every cloud client shares: base URL, authorization, per-group rate limits,
/// retries with full-jitter backoff that honour `Retry-After` (only for idempotent calls),
/// structured logs without secrets, and metrics.
public struct RESTClient<C: Clock>: Sendable where C.Duration == Duration {
    /// Turns a non-2xx response into a classified ``ProviderError``.
    public typealias ErrorDecoder = @Sendable (_ operation: String, _ response: HTTPTransport.Response) -> ProviderError

    /// Everything a client is configured with.
    public struct Configuration: Sendable {
        /// `https://api.cloudflare.com/client/v4`, or an emulator's URL.
        public var baseURL: String
        /// "cloudflare" or "gce", for errors and logs.
        public var provider: String
        /// The retry policy.
        public var retry: RetryPolicy

        /// Creates a configuration.
        public init(baseURL: String, provider: String, retry: RetryPolicy = RetryPolicy()) {
            var base = baseURL
            while base.hasSuffix("/") { base.removeLast() }
            self.baseURL = base
            self.provider = provider
            self.retry = retry
        }
    }

    /// The configuration.
    public let configuration: Configuration
    /// The metrics of every call made through this client.
    public let metrics: ProviderMetrics
    /// The rate limiter.
    public let limiter: RateLimiter<C>
    private let transport: any HTTPSending
    private let authorization: any AccessTokenProvider
    private let decodeError: ErrorDecoder
    /// The clock for pacing and waits.
    public let clock: C
    private let logger: Logger

    /// Creates a client.
    public init(
        configuration: Configuration,
        transport: any HTTPSending,
        authorization: any AccessTokenProvider,
        limiter: RateLimiter<C>,
        clock: C,
        metrics: ProviderMetrics = ProviderMetrics(),
        logger: Logger = .discarding,
        decodeError: @escaping ErrorDecoder
    ) {
        self.configuration = configuration
        self.transport = transport
        self.authorization = authorization
        self.limiter = limiter
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
        self.decodeError = decodeError
    }

    /// Sends `request`, retrying what may be retried (each retry logged with the host, the
    /// operation, the attempt and the wait; never a header), and returns the 2xx response.
    /// - Throws: ``ProviderError`` (the last one, when retries or the time budget ran out).
    public func call(_ request: RESTRequest) async throws -> HTTPTransport.Response {
        let url = self.url(for: request)
        var random = SystemRandomNumberGenerator()
        var attempt = 1
        let first = self.clock.now
        while true {
            let budget = try await self.limiter.acquire(request.rateGroup)
            self.metrics.recordBudget(provider: self.configuration.provider, remaining: budget)
            let error: ProviderError
            let started = self.clock.now
            var headers: [(String, String)] = []
            do {
                headers = [("Authorization", try await self.authorization.authorization()), ("Accept", "application/json")]
                if request.body != nil { headers.append(("Content-Type", "application/json")) }
                if let name = Redaction.forbiddenHeader(in: headers) {
                    throw self.forbidden(header: name, request)
                }
                let remaining = self.configuration.retry.maximumElapsed - first.duration(to: started)
                let response = try await self.transport.send(
                    method: request.method,
                    url: url,
                    headers: headers,
                    body: request.body,
                    timeout: remaining > .zero ? remaining : nil
                )
                self.record(request, status: response.status, started: started, attempt: attempt)
                if (200..<300).contains(response.status) {
                    self.logger.debug(
                        "\(request.method) \(Redaction.redact(url)) → \(response.status)",
                        metadata: ["operation": "\(request.operation)", "attempt": "\(attempt)"]
                    )
                    return response
                }
                error = self.decodeError(request.operation, response)
            } catch let providerError as ProviderError {
                error = providerError
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                self.record(request, status: nil, started: started, attempt: attempt)
                let transportError = ProviderError(
                    .transient,
                    provider: self.configuration.provider,
                    operation: request.operation,
                    message: "request failed before a response: \(Redaction.scrub(String(describing: error), headers: headers))"
                )
                // Without a response we cannot know whether a POST took effect.
                guard request.idempotent, self.configuration.retry.shouldRetry(transportError, attempt: attempt, idempotent: true) else {
                    self.metrics.recordError(provider: self.configuration.provider, operation: request.operation, code: .transient)
                    throw transportError
                }
                try await self.backOff(request, url: url, attempt: &attempt, since: first, error: transportError, random: &random)
                continue
            }
            guard self.configuration.retry.shouldRetry(error, attempt: attempt, idempotent: request.idempotent) else {
                self.metrics.recordError(provider: self.configuration.provider, operation: request.operation, code: error.code)
                // The caller decides what a failure means (a 404 is often the answer it wanted).
                self.logger.debug(
                    "\(request.method) \(Redaction.redact(url)) failed: \(error.message)",
                    metadata: ["operation": "\(request.operation)", "status": "\(error.httpStatus ?? 0)", "class": "\(error.code)"]
                )
                throw error
            }
            try await self.backOff(request, url: url, attempt: &attempt, since: first, error: error, random: &random)
        }
    }

    /// The error for a request whose `header` HTTP does not allow: permanent (retrying sends
    /// the same value), naming the header and never its value.
    private func forbidden(header: String, _ request: RESTRequest) -> ProviderError {
        ProviderError(
            .permanent,
            provider: self.configuration.provider,
            operation: request.operation,
            message: "the \(header) header's value holds a character HTTP does not allow (a line break or another control character); "
                + "check the credential it comes from (the value is not shown)"
        )
    }

    /// Sends `request` and decodes its JSON response.
    public func call<Response: Decodable>(_ request: RESTRequest, as type: Response.Type) async throws -> Response {
        let response = try await self.call(request)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw ProviderError(
                .permanent,
                provider: self.configuration.provider,
                operation: request.operation,
                httpStatus: response.status,
                message: "the response is not the expected JSON: \(error)"
            )
        }
    }

    /// Counts one request that went out (`status` nil: no response came).
    private func record(_ request: RESTRequest, status: Int?, started: C.Instant, attempt: Int) {
        self.metrics.record(
            provider: self.configuration.provider,
            operation: request.operation,
            status: status,
            latency: started.duration(to: self.clock.now),
            retry: attempt > 1
        )
    }

    /// Waits before the next attempt and says so (host, operation, attempt n/N, the wait, the
    /// failure; never a header), or throws `error` when the wait would leave the time budget.
    private func backOff(
        _ request: RESTRequest,
        url: String,
        attempt: inout Int,
        since first: C.Instant,
        error: ProviderError,
        random: inout SystemRandomNumberGenerator
    ) async throws {
        let policy = self.configuration.retry
        let wait = policy.delay(beforeRetry: attempt, retryAfter: error.retryAfter, using: &random)
        let elapsed = first.duration(to: self.clock.now)
        let what = "\(self.configuration.provider) \(request.operation) at \(Redaction.host(of: url))"
        guard policy.fitsBudget(error, elapsed: elapsed, wait: wait) else {
            self.metrics.recordError(provider: self.configuration.provider, operation: request.operation, code: error.code)
            self.logger.notice(
                "giving up on \(what) after attempt \(attempt)/\(policy.maximumAttempts): \(Self.format(elapsed)) spent of a \(Self.format(policy.maximumElapsed)) retry budget; last failure: \(error.message)",
                metadata: ["status": "\(error.httpStatus ?? 0)", "class": "\(error.code)", "attempt": "\(attempt)"]
            )
            var exhausted = error
            exhausted.message += " (gave up after \(attempt) attempt\(attempt == 1 ? "" : "s") in \(Self.format(elapsed)))"
            throw exhausted
        }
        self.logger.notice(
            "retrying \(what) (attempt \(attempt + 1)/\(policy.maximumAttempts)) in \(Self.format(wait)) after: \(error.message)",
            metadata: ["status": "\(error.httpStatus ?? 0)", "class": "\(error.code)", "attempt": "\(attempt)"]
        )
        attempt += 1
        try await self.clock.sleep(for: wait)
    }

    /// `1.25 s`.
    static func format(_ duration: Duration) -> String {
        String(format: "%.2f s", duration.seconds)
    }

    private func url(for request: RESTRequest) -> String {
        var url = self.configuration.baseURL + request.path
        if !request.query.isEmpty {
            url += "?" + request.query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
