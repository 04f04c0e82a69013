import Attestation
import Encoding
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A loopback PCCS serving one collateral bundle through the v4 API, the way Intel's PCCS does:
/// signed bodies `{"tcbInfo":…,"signature":"…"}`, URL-encoded issuer-chain headers, the PCK CRL
/// as DER and the root CA CRL as hex text. Unknown FMSPCs get 404. Used by tests and by local
/// fleets running simulated TDX.
public struct PCCSEmulator: Sendable {
    /// The collateral served.
    public var bundle: CollateralBundle
    /// The FMSPC (hex, lowercase) the TCB Info is for.
    public var fmspc: String

    /// Serves `bundle` for `fmspc`.
    public init(bundle: CollateralBundle, fmspc: String) {
        self.bundle = bundle
        self.fmspc = fmspc.lowercased()
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let bundle = self.bundle
        let fmspc = self.fmspc
        router.get("/sgx/certification/v4/pckcrl") { request, _ -> Response in
            guard
                request.uri.queryParameters["ca"].map(String.init) == "platform" || request.uri.queryParameters["ca"].map(String.init) == "processor"
            else { return Self.error(.badRequest) }
            return Self.response(bundle.pckCRL, headers: ["SGX-PCK-CRL-Issuer-Chain": bundle.pckCRLIssuerChain])
        }
        router.get("/sgx/certification/v4/rootcacrl") { _, _ -> Response in
            Self.response(Array(Hex.encode(bundle.rootCACRL).utf8), headers: [:])
        }
        router.get("/tdx/certification/v4/tcb") { request, _ -> Response in
            guard request.uri.queryParameters["fmspc"].map({ String($0).lowercased() }) == fmspc else { return Self.error(.notFound) }
            let body = "{\"tcbInfo\":\(bundle.tcbInfo),\"signature\":\"\(Hex.encode(bundle.tcbInfoSignature))\"}"
            return Self.response(Array(body.utf8), headers: ["TCB-Info-Issuer-Chain": bundle.tcbInfoIssuerChain])
        }
        router.get("/tdx/certification/v4/qe/identity") { _, _ -> Response in
            let body = "{\"enclaveIdentity\":\(bundle.qeIdentity),\"signature\":\"\(Hex.encode(bundle.qeIdentitySignature))\"}"
            return Self.response(Array(body.utf8), headers: ["SGX-Enclave-Identity-Issuer-Chain": bundle.qeIdentityIssuerChain])
        }
        return router
    }

    private static func response(_ body: [UInt8], headers: [String: String]) -> Response {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let field = HTTPField.Name(name) {
                fields[field] = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
            }
        }
        return Response(status: .ok, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    private static func error(_ status: HTTPResponse.Status) -> Response {
        Response(status: status)
    }
}
