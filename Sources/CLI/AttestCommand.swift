import ArgumentParser

/// `devopsdefender attest …`: verify TDX quotes, or make simulated ones.
struct AttestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest",
        abstract: "Verify Intel TDX quotes offline, or produce simulated ones for local fleets.",
        discussion: """
            A quote is verified to Intel's SGX Root CA (pinned by its SHA-256 fingerprint), \
            optionally against collateral (TCB Info, QE Identity, CRLs) and a fleet's \
            attestation policy. Nothing is fetched from the network.

            Examples:
              devopsdefender attest verify quote.dat
              devopsdefender attest verify quote.dat --collateral collateral.json --policy fleet.yaml
              devopsdefender attest quote --sim --output-dir sim/
              devopsdefender attest verify sim/quote.dat --root sim/root.pem --collateral sim/collateral.json

            Docs: docs/attestation.md.
            """,
        subcommands: [AttestVerifyCommand.self, AttestQuoteCommand.self, AttestCollateralCommand.self]
    )
}
