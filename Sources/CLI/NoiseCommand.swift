import ArgumentParser
import Foundation
import Noise

/// `devopsdefender noise vectors FILE...`
struct NoiseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "noise",
        abstract: "Noise protocol tools.",
        subcommands: [NoiseVectorsCommand.self]
    )
}

/// `devopsdefender noise vectors FILE...`
struct NoiseVectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Replay Noise test-vector files (the Noise wiki JSON format) and report each vector.",
        discussion: """
            Every NN and XX vector over 25519 / ChaChaPoly / SHA256 is replayed with both sides' \
            keys: each handshake and transport message is compared byte for byte, and the \
            handshake hash when the file has one. Other patterns (psk variants, other suites) \
            are reported as skipped.

            Example:
              devopsdefender noise vectors ../shared/testdata/noise/*.json

            Exit codes: 0 no failures, 1 some vector failed, 2 unreadable file.
            """
    )

    @Argument(help: ArgumentHelp("Vector files.", valueName: "file"))
    var files: [String]

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("give at least one vector file") }
    }

    func run() throws {
        var failed = 0
        var passed = 0
        var skipped = 0
        for file in self.files {
            let vectors: [NoiseTestVector]
            do {
                let bytes = try BoundedFile.read(file, maximumBytes: 64 << 20)
                vectors = try JSONDecoder().decode(NoiseTestVector.File.self, from: Data(bytes)).vectors
            } catch {
                let reason = (error as? BoundedFile.Refusal).map { "the file \($0.explanation)" } ?? error.localizedDescription
                Terminal.standardError.write("\(file): error: not a Noise vector file: \(reason)\n")
                throw ExitCode(CLIExit.usage)
            }
            for (index, vector) in vectors.enumerated() {
                let label = "\(file)#\(index) \(vector.protocolName)"
                switch vector.replay() {
                case .passed:
                    passed += 1
                    Terminal.standardOutput.write("pass  \(label)\n")
                case .skipped(let reason):
                    skipped += 1
                    Terminal.standardOutput.write("skip  \(label): \(reason)\n")
                case .failed(let reason):
                    failed += 1
                    Terminal.standardOutput.write("FAIL  \(label): \(reason)\n")
                }
            }
        }
        Terminal.standardOutput.write("\(passed) passed, \(failed) failed, \(skipped) skipped\n")
        if failed > 0 { throw ExitCode(CLIExit.invalid) }
    }
}
