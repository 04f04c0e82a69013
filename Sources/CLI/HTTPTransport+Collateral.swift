import Attestation
import ProviderSupport

/// The PCCS client fetches collateral over the shared HTTP client. Neither module knows the other,
/// so the composition root joins them.
extension HTTPTransport: CollateralTransport {
    public func get(_ url: String) async throws -> CollateralHTTPResponse {
        let response = try await self.send(method: "GET", url: url)
        return CollateralHTTPResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
