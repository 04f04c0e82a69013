import ArgumentParser
import Attestation
import ControlPlane
import Encoding
import Foundation
import ProviderSupport
import Spec

/// `devopsdefender attest verify QUOTE`
struct AttestVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a TDX quote and print its measurements and the verdict with every reason.",
        discussion: """
            Checks the quote signature, the QE report's binding of the attestation key, the QE \
            report signature by the PCK certificate, the PCK chain to the trust anchor, Intel's TD \
            QE identity and the DEBUG attribute. With --collateral it also checks the TCB Info, \
            QE Identity and CRLs and evaluates the TCB status; with --policy it applies the fleet's \
            attestation.policy (MRTD, RTMRs, MRCONFIGID, MROWNER, TEE TCB SVN, accepted TCB \
            statuses).

            Collateral comes from a file (--collateral) or is fetched from a PCCS (--pccs URL); \
            `devopsdefender attest collateral` saves a fetched bundle for offline use.

            Exit codes: 0 accepted, 1 rejected (every reason is listed), 2 unusable input (an \
            unreadable file, bytes that are not a TDX quote, an unreachable PCCS, a bad option).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @Argument(help: ArgumentHelp("The quote file (raw binary, as configfs-tsm's outblob).", valueName: "quote"))
    var quote: String

    @Option(help: ArgumentHelp("Collateral JSON (dcap-qvl QuoteCollateralV3 form) to check the TCB status.", valueName: "file"))
    var collateral: String?

    @Option(help: ArgumentHelp("Fetch the collateral from this PCCS (or Intel PCS) base URL instead of a file.", valueName: "url"))
    var pccs: String?

    @Option(help: ArgumentHelp("A fleet.yaml whose attestation.policy the quote must meet.", valueName: "fleet.yaml"))
    var policy: String?

    @Option(help: ArgumentHelp("Trust this root certificate instead of Intel's SGX Root CA (for simulated quotes).", valueName: "pem"))
    var root: String?

    @Option(help: ArgumentHelp("Validation time, RFC 3339 (default: now), e.g. 2026-01-01T00:00:00Z.", valueName: "time"))
    var at: String?

    @Option(
        name: .customLong("expect-report-data"),
        help: ArgumentHelp("The 64-byte REPORTDATA the quote must carry, as 128 hex digits.", valueName: "hex")
    )
    var expectedReportData: String?

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @OptionGroup var input: FleetInputOptions

    func validate() throws {
        if let at, CivilTime.parseRFC3339(at) == nil {
            throw ValidationError("--at \(at) is not an RFC 3339 time; write it like 2026-01-01T00:00:00Z")
        }
        if self.collateral != nil, self.pccs != nil {
            throw ValidationError("give --collateral FILE or --pccs URL, not both")
        }
        if let expected = self.expectedReportData, Hex.decode(expected)?.count != 64 {
            throw ValidationError("--expect-report-data must be 128 hex digits (64 bytes)")
        }
    }

    func run() async throws {
        var inputs: VerificationInputs
        do {
            inputs = try self.loadInputs()
            if let pccs = self.pccs {
                inputs.collateral = try await PCCSClient(baseURL: pccs, transport: HTTPTransport()).collateral(for: inputs.quote)
            }
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(CLIExit.usage)
        }
        let result = await QuoteVerifier(configuration: .init(trustAnchor: inputs.anchor)).verify(
            inputs.quote,
            collateral: inputs.collateral,
            policy: inputs.policy,
            expectedReportData: self.expectedReportData.flatMap { Hex.decode($0) },
            at: inputs.time
        )
        let report = QuoteReport(file: self.quote, verification: result, time: inputs.time, policySource: self.policy)
        switch self.format {
        case .text: Terminal.standardOutput.write(report.text(useColor: Terminal.standardOutput.supportsColor))
        case .json: Terminal.standardOutput.write(report.structured.prettyJSON() + "\n")
        }
        if !result.isAccepted { throw ExitCode(CLIExit.invalid) }
    }

    struct VerificationInputs {
        var quote: TDXQuote
        var anchor: TrustAnchor
        var collateral: CollateralBundle?
        var policy: AttestationPolicy
        var time: Date
    }

    struct InputError: Error, CustomStringConvertible {
        var description: String
    }

    private func loadInputs() throws -> VerificationInputs {
        let bytes = try Self.read(self.quote, what: "quote", limit: 1 << 20)
        let quote: TDXQuote
        do {
            quote = try TDXQuote(bytes)
        } catch {
            throw InputError(description: "\(self.quote): not a TDX quote: \(error)")
        }
        var anchor = TrustAnchor.intelSGXRootCA
        if let root {
            let pem = String(decoding: try Self.read(root, what: "root certificate", limit: 1 << 16), as: UTF8.self)
            do {
                anchor = try TrustAnchor(pem: pem)
            } catch {
                throw InputError(description: "\(root): not a PEM certificate: \(error)")
            }
        }
        var collateral: CollateralBundle?
        if let path = self.collateral {
            do {
                collateral = try CollateralBundle.decode(json: Data(try Self.read(path, what: "collateral", limit: 1 << 22)))
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError(description: "\(path): not a collateral bundle: \(error)")
            }
        }
        var policy = AttestationPolicy.measurementsUnpinned
        if let path = self.policy {
            let fleet: ResolvedFleet
            do {
                fleet = try LoadedFleet.resolve(path, options: self.input).1
            } catch {
                guard !error.unreadable else { throw InputError(description: error.message.trimmingCharacters(in: .newlines)) }
                Terminal.standardError.write(error.message)
                throw InputError(
                    description: "\(path): the fleet file is invalid, so its policy cannot be used; run `devopsdefender validate \(path)`"
                )
            }
            policy = AttestationPolicy(spec: fleet.spec.attestation)
        }
        let time = self.at.flatMap(CivilTime.parseRFC3339) ?? Date()
        return VerificationInputs(quote: quote, anchor: anchor, collateral: collateral, policy: policy, time: time)
    }

    static func read(_ path: String, what: String, limit: Int) throws -> [UInt8] {
        do {
            return try BoundedFile.read(path, maximumBytes: limit)
        } catch {
            if case .missing = error.reason { throw InputError(description: "\(path): no such \(what) file") }
            if case .tooLarge(let size, _) = error.reason {
                throw InputError(description: "\(path): the \(what) file is \(size) bytes, more than the \(limit) a \(what) can be")
            }
            throw InputError(description: "\(path): the \(what) file \(error.explanation)")
        }
    }
}
