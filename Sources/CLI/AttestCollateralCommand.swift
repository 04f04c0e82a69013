import ArgumentParser
import Attestation
import Foundation
import ProviderSupport

/// `devopsdefender attest collateral QUOTE --pccs URL`
struct AttestCollateralCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collateral",
        abstract: "Fetch a quote's collateral (TCB Info, QE Identity, CRLs) from a PCCS and save it as one bundle.",
        discussion: """
            The bundle is the JSON `attest verify --collateral` reads, so verification can then \
            run offline. The FMSPC and PCK CA type come from the quote's PCK certificate. \
            Nothing fetched is trusted until `attest verify` checks it.

            Example:
              devopsdefender attest collateral quote.dat --pccs https://pccs.example.com --output collateral.json

            Exit codes: 0 saved, 2 unusable input or the PCCS could not be reached.
            """
    )

    @Argument(help: ArgumentHelp("The quote file.", valueName: "quote"))
    var quote: String

    @Option(help: ArgumentHelp("The PCCS (or Intel PCS) base URL.", valueName: "url"))
    var pccs: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the bundle (default: standard output).", valueName: "file"))
    var output: String?

    func run() async throws {
        do {
            let bytes = try AttestVerifyCommand.read(self.quote, what: "quote", limit: 1 << 20)
            let quote: TDXQuote
            do {
                quote = try TDXQuote(bytes)
            } catch {
                throw AttestVerifyCommand.InputError(description: "\(self.quote): not a TDX quote: \(error)")
            }
            let bundle = try await PCCSClient(baseURL: self.pccs, transport: HTTPTransport()).collateral(for: quote)
            let json = try bundle.json()
            if let output {
                try json.write(to: URL(fileURLWithPath: output))
                Terminal.standardError.write("wrote \(output)\n")
            } else {
                Terminal.standardOutput.write(String(decoding: json, as: UTF8.self) + "\n")
            }
        } catch {
            Terminal.standardError.write("error: \(error)\n")
            throw ExitCode(CLIExit.usage)
        }
    }
}
