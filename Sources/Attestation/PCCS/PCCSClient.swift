import Encoding
import Foundation

/// Fetches a ``CollateralBundle`` for a quote from a PCCS (or Intel's PCS) using the v4 API:
///
/// | piece | request | issuer chain header |
/// |---|---|---|
/// | PCK CRL | `GET {base}/sgx/certification/v4/pckcrl?ca=platform\|processor&encoding=der` | `SGX-PCK-CRL-Issuer-Chain` |
/// | TCB Info | `GET {base}/tdx/certification/v4/tcb?fmspc=…` | `TCB-Info-Issuer-Chain` (or `SGX-TCB-Info-Issuer-Chain`) |
/// | QE Identity | `GET {base}/tdx/certification/v4/qe/identity` | `SGX-Enclave-Identity-Issuer-Chain` |
/// | root CA CRL | `GET {base}/sgx/certification/v4/rootcacrl` (hex or DER) | — |
///
/// Issuer chains arrive URL-encoded in headers. The signed `tcbInfo` / `enclaveIdentity` objects
/// are cut out of the response bodies byte for byte (never re-serialised), so their signatures
/// still verify. Nothing fetched is trusted: ``QuoteVerifier`` checks it all.
public struct PCCSClient: Sendable {
    /// The PCCS base URL, e.g. `https://pccs.example.com` (a trailing `/sgx/certification/v4` is accepted).
    public let baseURL: String
    private let transport: any CollateralTransport

    /// Creates a client for `baseURL` over `transport`.
    public init(baseURL: String, transport: any CollateralTransport) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        for suffix in ["/sgx/certification/v4", "/tdx/certification/v4"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
        }
        self.baseURL = base
        self.transport = transport
    }

    /// Why fetching collateral failed.
    public struct FetchError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What went wrong, naming the URL.
        public var message: String
        public var description: String { self.message }
    }

    /// Fetches the collateral for the platform that produced `quote` (FMSPC and CA type from its
    /// PCK certificate).
    public func collateral(for quote: TDXQuote) async throws -> CollateralBundle {
        let platform: PCKPlatform
        do {
            platform = try PCKPlatform(of: quote)
        } catch {
            throw FetchError(message: error.message)
        }
        return try await self.collateral(fmspc: platform.fmspc, ca: platform.ca)
    }

    /// Fetches the collateral for an FMSPC (hex) and PCK CA type (`platform` or `processor`).
    public func collateral(fmspc: String, ca: String) async throws -> CollateralBundle {
        let pckCRL = try await self.fetch("\(self.baseURL)/sgx/certification/v4/pckcrl?ca=\(ca)&encoding=der")
        let tcb = try await self.fetch("\(self.baseURL)/tdx/certification/v4/tcb?fmspc=\(fmspc)")
        let qe = try await self.fetch("\(self.baseURL)/tdx/certification/v4/qe/identity")
        let rootCRL = try await self.fetch("\(self.baseURL)/sgx/certification/v4/rootcacrl")

        let tcbInfo = try Self.member("tcbInfo", of: tcb.body, url: "tcb")
        let qeIdentity = try Self.member("enclaveIdentity", of: qe.body, url: "qe/identity")
        return CollateralBundle(
            pckCRLIssuerChain: try Self.chainHeader(pckCRL, ["SGX-PCK-CRL-Issuer-Chain"]),
            rootCACRL: Self.derOrHex(rootCRL.body),
            pckCRL: Self.derOrHex(pckCRL.body),
            tcbInfoIssuerChain: try Self.chainHeader(tcb, ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"]),
            tcbInfo: tcbInfo,
            tcbInfoSignature: try Self.signature(of: tcb.body, url: "tcb"),
            qeIdentityIssuerChain: try Self.chainHeader(qe, ["SGX-Enclave-Identity-Issuer-Chain"]),
            qeIdentity: qeIdentity,
            qeIdentitySignature: try Self.signature(of: qe.body, url: "qe/identity")
        )
    }

    private func fetch(_ url: String) async throws -> CollateralHTTPResponse {
        let response: CollateralHTTPResponse
        do {
            response = try await self.transport.get(url)
        } catch {
            throw FetchError(message: "GET \(url) failed: \(error)")
        }
        guard response.status == 200 else {
            throw FetchError(message: "GET \(url) returned HTTP \(response.status)")
        }
        return response
    }

    private static func chainHeader(_ response: CollateralHTTPResponse, _ names: [String]) throws -> String {
        for name in names {
            if let value = response.header(name) { return value.removingPercentEncoding ?? value }
        }
        throw FetchError(message: "the PCCS response lacks the \(names[0]) header")
    }

    /// A CRL body: DER as is, or hex text (what a PCCS serves for the root CA CRL).
    private static func derOrHex(_ body: [UInt8]) -> [UInt8] {
        if body.first == 0x30 { return body }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Hex.decode(text) ?? body
    }

    private static func signature(of body: [UInt8], url: String) throws -> [UInt8] {
        struct Signed: Decodable { var signature: String }
        guard let signed = try? JSONDecoder().decode(Signed.self, from: Data(body)), let bytes = Hex.decode(signed.signature) else {
            throw FetchError(message: "the \(url) response has no hex signature")
        }
        return bytes
    }

    /// The exact text of a top-level member's object value in a JSON body.
    static func member(_ name: String, of body: [UInt8], url: String) throws -> String {
        guard let range = RawJSON.objectMember(name, in: body) else {
            throw FetchError(message: "the \(url) response has no \(name) object")
        }
        return String(decoding: body[range], as: UTF8.self)
    }
}
