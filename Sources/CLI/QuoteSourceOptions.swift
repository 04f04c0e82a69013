import Agent
import ArgumentParser
import Attestation
import AttestationSimulation
import Encoding
import Foundation
import Logging
import ProviderSupport

/// Where this process's own quotes come from, which root peers' quotes must chain to, and where
/// the collateral that judges their TCB status comes from.
struct QuoteSourceOptions: ParsableArguments {
    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case configfsTSM = "configfs-tsm"
        case easyenclave
        case simulated
    }

    @Option(help: "Quote source: configfs-tsm (a TDX guest), easyenclave (its agent socket), or simulated (local fleets only).")
    var quoteSource: Kind = .configfsTSM

    @Option(help: ArgumentHelp("EasyEnclave's agent socket.", valueName: "path"))
    var easyenclaveSocket = ProcessEnvironment.current()["EE_SOCKET_PATH"] ?? "/var/lib/easyenclave/agent.sock"

    @Option(
        help: ArgumentHelp(
            "A simulated TDX authority file (from `attest quote --sim --output-dir`): quotes with --quote-source simulated, trusted with --trust-simulated.",
            valueName: "file"
        )
    )
    var simAuthority: String?

    @Option(
        help: ArgumentHelp(
            "The MRTD simulated quotes report (96 hex); default: the fleet policy's first (RTMRs follow the policy too).",
            valueName: "hex"
        )
    )
    var simMrtd: String?

    @Flag(help: "Trust the simulated authority's root instead of Intel's (local fleets and tests only; never in production).")
    var trustSimulated = false

    @Option(
        help: ArgumentHelp(
            "The PCCS (or Intel PCS) base URL peers' collateral comes from, so the policy's acceptedTcbStatuses and PCK revocation are judged at every registration (default: DD_PCCS_URL, else the fleet's attestation.pccs; without any, TCB status is not judged and a warning says so).",
            valueName: "url"
        )
    )
    var pccs: String? = ProcessEnvironment.current()["DD_PCCS_URL"]

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    /// The simulated authority, when one is named.
    func authority() throws -> SimulatedTDXAuthority? {
        try self.simAuthority.map(Self.authority(at:))
    }

    /// The simulated authority exported at `path`.
    static func authority(at path: String) throws -> SimulatedTDXAuthority {
        let data: Data
        do {
            data = Data(try BoundedFile.read(path, maximumBytes: SecretLoader.maximumBytes))
        } catch {
            throw Invalid(description: "cannot read the simulated authority \(path): it \(error.explanation)")
        }
        do {
            return try SimulatedTDXAuthority(exported: data)
        } catch {
            throw Invalid(description: "\(path): \(error)")
        }
    }

    /// The quote source; a simulated TD meets `policy` unless --sim-mrtd says otherwise.
    func source(meeting policy: AttestationPolicy) throws -> any QuoteSource {
        switch self.quoteSource {
        case .configfsTSM: return ConfigfsTSMQuoteSource()
        case .easyenclave: return EasyEnclaveQuoteSource(path: self.easyenclaveSocket)
        case .simulated:
            guard let authority = try self.authority() else {
                throw Invalid(
                    description:
                        "--quote-source simulated needs --sim-authority FILE (create one with `devopsdefender attest quote --sim --output-dir DIR`)"
                )
            }
            var source = SimulatedQuoteSource(authority: authority, meeting: policy)
            if let text = self.simMrtd {
                guard let bytes = Hex.decode(text), bytes.count == 48 else { throw Invalid(description: "--sim-mrtd must be 96 hex characters") }
                source.mrTD = bytes
            }
            return source
        }
    }

    /// Collateral from `url` (--pccs, DD_PCCS_URL, or the fleet's `attestation.pccs`), cached per
    /// platform; nil (with a warning logged) without one.
    func collateral(url: String?, http: HTTPTransport, logger: Logger) throws -> CollateralCache? {
        guard let url, !url.isEmpty else {
            logger.warning(
                "no PCCS (--pccs, DD_PCCS_URL or the fleet's attestation.pccs): peers' TCB status and PCK revocation are not judged, so the policy's acceptedTcbStatuses is not applied"
            )
            return nil
        }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
            throw Invalid(description: "the PCCS URL must be http(s), such as https://pccs.example.com, not \(url)")
        }
        return CollateralCache(client: PCCSClient(baseURL: url, transport: http), trustAnchor: try self.trustAnchor())
    }

    /// The root quotes must chain to: Intel's, or the simulated one when explicitly trusted.
    func trustAnchor() throws -> TrustAnchor {
        guard self.trustSimulated else { return .intelSGXRootCA }
        guard let authority = try self.authority() else { throw Invalid(description: "--trust-simulated needs --sim-authority FILE") }
        return try authority.trustAnchor
    }
}
