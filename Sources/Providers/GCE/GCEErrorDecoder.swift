import Foundation
import ProviderSupport

/// Classifies GCE's `{"error": {"code", "message", "errors": [{"reason"}]}}` responses.
enum GCEErrorDecoder {
    static func decode(_ operation: String, _ response: HTTPTransport.Response) -> ProviderError {
        struct Failure: Decodable {
            struct Body: Decodable {
                struct Reason: Decodable { var reason: String? }
                var message: String?
                var errors: [Reason]?
            }
            var error: Body?
        }
        let body = (try? JSONDecoder().decode(Failure.self, from: Data(response.body)))?.error
        let reason = body?.errors?.first?.reason
        let code: ProviderError.Code
        var retryAfter: Duration?
        switch (response.status, reason) {
        case (429, _), (403, "rateLimitExceeded"), (403, "userRateLimitExceeded"):
            // Per-minute quota groups refill at the next minute.
            code = .quotaWindow
            retryAfter = .seconds(60)
        case (403, "quotaExceeded"): code = .quotaWindow
        case (401, _), (403, _): code = .auth
        case (404, _): code = .notFound
        case (409, _), (412, _): code = .conflict
        case (500...599, _): code = .transient
        case (400, "resourceNotReady"): code = .transient
        default: code = .permanent
        }
        if let header = response.headers.first(where: { $0.0.lowercased() == "retry-after" }), let seconds = Int(header.1) {
            retryAfter = .seconds(seconds)
        }
        return ProviderError(
            code,
            provider: "gce",
            operation: operation,
            httpStatus: response.status,
            providerCode: reason,
            message: body?.message ?? "HTTP \(response.status)",
            retryAfter: retryAfter
        )
    }
}
