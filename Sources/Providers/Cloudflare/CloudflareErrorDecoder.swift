import Foundation
import ProviderSupport

/// Classifies Cloudflare's error responses (see docs/providers.md and the API contract notes).
enum CloudflareErrorDecoder {
    /// Codes meaning "this conflicts with what exists": duplicate tunnel name, active
    /// connections, conflicting or duplicate DNS record.
    static let conflictCodes: Set<Int> = [1013, 1022, 81053, 81054, 81057]

    static func decode(_ operation: String, _ response: HTTPTransport.Response) -> ProviderError {
        struct Failure: Decodable { var errors: [CloudflareMessage]? }
        let errors = (try? JSONDecoder().decode(Failure.self, from: Data(response.body)))?.errors ?? []
        let first = errors.first
        let message = first.map { "\($0.message)" } ?? "HTTP \(response.status) without an error envelope"
        let retryAfter = response.headers.first { $0.0.lowercased() == "retry-after" }.flatMap { Int($0.1) }.map { Duration.seconds($0) }
        let code: ProviderError.Code
        switch response.status {
        case 429: code = .rateLimited
        case 500...599: code = .transient
        case 404: code = .notFound
        case 409: code = .conflict
        case 401, 403: code = .auth
        case 400 where first.map({ Self.conflictCodes.contains($0.code) }) ?? false: code = .conflict
        case 400 where first?.code == 9106 || first?.code == 6003: code = .auth
        default: code = .permanent
        }
        return ProviderError(
            code,
            provider: "cloudflare",
            operation: operation,
            httpStatus: response.status,
            providerCode: first.map { String($0.code) },
            message: message,
            retryAfter: code == .rateLimited ? (retryAfter ?? .seconds(1)) : retryAfter
        )
    }
}
