import ArgumentParser
import Attestation
import AttestationSimulation
import Encoding
import Foundation

/// `devopsdefender attest quote --sim`
struct AttestQuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Write a simulated TDX quote, with the root it chains to and matching collateral.",
        discussion: """
            The quote has the exact binary layout of a real one, but it is signed by a freshly \
            generated test hierarchy (root → PCK platform CA → PCK leaf, a TCB signing \
            certificate, a quoting enclave): it verifies only with --root pointing at the root \
            written here, never with Intel's pinned root. For local fleets and tests.

            Files written to --output-dir: quote.dat, root.pem, collateral.json, and authority.json \
            (the simulated issuer itself, private keys included, for `control-plane` and `agent` \
            --sim-authority in a local fleet).

            Example:
              devopsdefender attest quote --sim --mrtd $(printf 'ab%.0s' {1..48}) --output-dir sim
              devopsdefender attest verify sim/quote.dat --root sim/root.pem --collateral sim/collateral.json
            """
    )

    @Flag(help: "Produce a simulated quote (required; real quotes come from the TD's configfs-tsm).")
    var sim = false

    @Option(help: "Quote format version: 4 (TDX 1.0 body) or 5 (TDX 1.5 body).")
    var version: UInt16 = 4

    @Option(help: ArgumentHelp("MRTD, 96 hex digits (default all zero).", valueName: "hex"))
    var mrtd: String?

    @Option(name: .customLong("rtmr"), help: ArgumentHelp("An RTMR as INDEX=HEX, e.g. 2=ab…; repeatable.", valueName: "n=hex"))
    var rtmrs: [String] = []

    @Option(name: .customLong("report-data"), help: ArgumentHelp("REPORTDATA, 128 hex digits.", valueName: "hex"))
    var reportData: String?

    @Option(
        name: .customLong("noise-key"),
        help: ArgumentHelp("Bind this X25519 static public key (64 hex digits) into REPORTDATA, with --session.", valueName: "hex")
    )
    var noiseKey: String?

    @Option(help: ArgumentHelp("The per-session value bound with --noise-key, as hex.", valueName: "hex"))
    var session: String?

    @Flag(help: "Set the DEBUG attribute (verifiers must refuse such a TD).")
    var debug = false

    @Option(name: .customLong("tcb-status"), help: ArgumentHelp("The TCB status the collateral gives this platform.", valueName: "status"))
    var tcbStatus: String = TCBStatus.upToDate.rawValue

    @Flag(name: .customLong("revoke-pck"), help: "List the PCK certificate on the collateral's PCK CRL.")
    var revokePCK = false

    @Option(help: ArgumentHelp("Issue time of the certificates and collateral, RFC 3339 (default now).", valueName: "time"))
    var at: String?

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Where to write quote.dat, root.pem, collateral.json.", valueName: "dir"))
    var outputDirectory: String = "."

    func validate() throws {
        guard self.sim else {
            throw ValidationError("only simulated quotes can be made here: add --sim (on a TDX VM the agent reads quotes from configfs-tsm)")
        }
        guard self.version == 4 || self.version == 5 else { throw ValidationError("--version must be 4 or 5") }
        if let mrtd, Hex.decode(mrtd)?.count != 48 { throw ValidationError("--mrtd must be 96 hex digits (48 bytes)") }
        if let reportData, Hex.decode(reportData)?.count != 64 { throw ValidationError("--report-data must be 128 hex digits (64 bytes)") }
        if self.reportData != nil, self.noiseKey != nil { throw ValidationError("give --report-data or --noise-key/--session, not both") }
        if let noiseKey, Hex.decode(noiseKey)?.count != 32 { throw ValidationError("--noise-key must be 64 hex digits (32 bytes)") }
        if (self.noiseKey == nil) != (self.session == nil) { throw ValidationError("--noise-key and --session go together") }
        if let session, Hex.decode(session) == nil { throw ValidationError("--session must be hex") }
        if TCBStatus(rawValue: self.tcbStatus) == nil {
            throw ValidationError("--tcb-status must be one of \(TCBStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let at, CivilTime.parseRFC3339(at) == nil { throw ValidationError("--at must be an RFC 3339 time like 2026-01-01T00:00:00Z") }
        _ = try self.parsedRTMRs()
    }

    private func parsedRTMRs() throws -> [[UInt8]] {
        var rtmr = Array(repeating: [UInt8](repeating: 0, count: 48), count: 4)
        for entry in self.rtmrs {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]), (0..<4).contains(index), let value = Hex.decode(parts[1]), value.count == 48 else {
                throw ValidationError("--rtmr \(entry): write INDEX=HEX with an index 0–3 and 96 hex digits")
            }
            rtmr[index] = value
        }
        return rtmr
    }

    func run() throws {
        let time = self.at.flatMap(CivilTime.parseRFC3339) ?? Date()
        let authority = try SimulatedTDXAuthority(notBefore: time.addingTimeInterval(-86_400))
        var reportData = self.reportData.flatMap { Hex.decode($0) } ?? Array(repeating: 0, count: 64)
        if let key = self.noiseKey.flatMap({ Hex.decode($0) }), let session = self.session.flatMap({ Hex.decode($0) }) {
            reportData = ReportDataBinding.reportData(noiseStaticKey: key, session: session)
        }
        let request = SimulatedQuoteRequest(
            version: self.version,
            mrTD: self.mrtd.flatMap { Hex.decode($0) } ?? Array(repeating: 0, count: 48),
            rtmr: try self.parsedRTMRs(),
            reportData: reportData,
            tdAttributes: self.debug ? [.septVEDisable, .debug] : .septVEDisable
        )
        let quote = try authority.quote(request)
        let collateral = try authority.collateral(
            issued: time.addingTimeInterval(-3_600),
            platformStatus: TCBStatus(rawValue: self.tcbStatus) ?? .upToDate,
            teeTCBSVN: request.teeTCBSVN,
            revokePCK: self.revokePCK
        )
        let directory = URL(fileURLWithPath: self.outputDirectory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(quote).write(to: directory.appendingPathComponent("quote.dat"))
            try Data(try authority.rootPEM.utf8).write(to: directory.appendingPathComponent("root.pem"))
            try collateral.json().write(to: directory.appendingPathComponent("collateral.json"))
            // The authority itself (private keys), for a local fleet's processes to share.
            let authorityFile = directory.appendingPathComponent("authority.json").path
            guard FileManager.default.createFile(atPath: authorityFile, contents: try authority.exported(), attributes: [.posixPermissions: 0o600])
            else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: authorityFile]) }
        } catch {
            Terminal.standardError.write("error: cannot write to \(self.outputDirectory): \(error.localizedDescription)\n")
            throw ExitCode(CLIExit.usage)
        }
        let prefix = self.outputDirectory == "." ? "" : self.outputDirectory.hasSuffix("/") ? self.outputDirectory : self.outputDirectory + "/"
        Terminal.standardOutput.write(
            """
            wrote \(prefix)quote.dat (simulated TDX quote v\(self.version), \(quote.count) bytes), \(prefix)root.pem, \(prefix)collateral.json,
            and \(prefix)authority.json (the simulated issuer's keys, mode 0600: for --sim-authority of a local fleet)
            verify with:
              devopsdefender attest verify \(prefix)quote.dat --root \(prefix)root.pem --collateral \(prefix)collateral.json

            """
        )
    }
}
