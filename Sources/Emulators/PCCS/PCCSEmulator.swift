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
///
/// Requests are journaled and take injected faults under the route names `pccs.pckcrl`,
/// `pccs.rootcacrl`, `pccs.tcb` and `pccs.qe-identity` (so a test or a demo can take the PCCS
/// down through the admin API when it runs in an ``EmulatorServer``).
public struct PCCSEmulator: Sendable {
    /// The collateral served.
    public var bundle: CollateralBundle
    /// The FMSPC (hex, lowercase) the TCB Info is for.
    public var fmspc: String
    /// Injected faults.
    public let faults: FaultInjector
    /// Every request answered.
    public let journal: RequestJournal

    /// Serves `bundle` for `fmspc`.
    public init(bundle: CollateralBundle, fmspc: String, faults: FaultInjector = FaultInjector(), journal: RequestJournal = RequestJournal()) {
        self.bundle = bundle
        self.fmspc = fmspc.lowercased()
        self.faults = faults
        self.journal = journal
    }

    /// The same PCCS, journaling to `journal` and taking faults from `faults`.
    func sharing(faults: FaultInjector, journal: RequestJournal) -> PCCSEmulator {
        PCCSEmulator(bundle: self.bundle, fmspc: self.fmspc, faults: faults, journal: journal)
    }

    /// The routes, on a router of their own.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        self.addRoutes(to: router)
        return router
    }

    /// Adds the PCCS routes (under `/sgx/certification/v4` and `/tdx/certification/v4`) to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        let bundle = self.bundle
        let fmspc = self.fmspc
        router.get("/sgx/certification/v4/pckcrl") { request, _ -> Response in
            await self.gated("pckcrl") {
                guard
                    request.uri.queryParameters["ca"].map(String.init) == "platform"
                        || request.uri.queryParameters["ca"].map(String.init) == "processor"
                else { return Self.error(.badRequest) }
                return Self.response(bundle.pckCRL, headers: ["SGX-PCK-CRL-Issuer-Chain": bundle.pckCRLIssuerChain])
            }
        }
        router.get("/sgx/certification/v4/rootcacrl") { _, _ -> Response in
            await self.gated("rootcacrl") { Self.response(Array(Hex.encode(bundle.rootCACRL).utf8), headers: [:]) }
        }
        router.get("/tdx/certification/v4/tcb") { request, _ -> Response in
            await self.gated("tcb") {
                guard request.uri.queryParameters["fmspc"].map({ String($0).lowercased() }) == fmspc else { return Self.error(.notFound) }
                let body = "{\"tcbInfo\":\(bundle.tcbInfo),\"signature\":\"\(Hex.encode(bundle.tcbInfoSignature))\"}"
                return Self.response(Array(body.utf8), headers: ["TCB-Info-Issuer-Chain": bundle.tcbInfoIssuerChain])
            }
        }
        router.get("/tdx/certification/v4/qe/identity") { _, _ -> Response in
            await self.gated("qe-identity") {
                let body = "{\"enclaveIdentity\":\(bundle.qeIdentity),\"signature\":\"\(Hex.encode(bundle.qeIdentitySignature))\"}"
                return Self.response(Array(body.utf8), headers: ["SGX-Enclave-Identity-Issuer-Chain": bundle.qeIdentityIssuerChain])
            }
        }
    }

    /// Answers `route` with `handler`, unless an injected fault answers first; journals the answer.
    private func gated(_ route: String, _ handler: () -> Response) async -> Response {
        var response: Response
        if let fault = self.faults.fault(for: "pccs.\(route)") {
            if let delay = fault.delayMilliseconds { try? await Task.sleep(for: .milliseconds(delay)) }
            response = fault.status >= 400 ? Self.error(HTTPResponse.Status(code: fault.status)) : handler()
        } else {
            response = handler()
        }
        self.journal.record(.init(route: "pccs \(route)", method: "GET", status: Int(response.status.code)))
        return response
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
