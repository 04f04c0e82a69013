import ArgumentParser
import Spec

/// Options shared by every command that reads a fleet file.
struct FleetInputOptions: ParsableArguments {
    @Option(
        name: .customLong("max-bytes"),
        help: ArgumentHelp("Refuse fleet files larger than this many bytes.", valueName: "bytes")
    )
    var maximumBytes: Int = YAMLLimits().maximumBytes

    var limits: YAMLLimits {
        var limits = YAMLLimits()
        limits.maximumBytes = self.maximumBytes
        return limits
    }

    func validate() throws {
        guard self.maximumBytes > 0 else {
            throw ValidationError("--max-bytes must be a positive number of bytes")
        }
    }
}

/// Loads one fleet file through the whole pipeline, keeping its bytes for diagnostics.
struct LoadedFleet {
    var file: String
    var source: [UInt8]?
    var result: FleetSpecLoader.Result

    static func load(_ file: String, options: FleetInputOptions) throws(FleetFileReader.ReadError) -> LoadedFleet {
        switch try FleetFileReader.read(file, maximumBytes: options.maximumBytes) {
        case .bytes(let bytes):
            let result = FleetSpecLoader.load(bytes, file: file, limits: options.limits)
            // A file that failed screening is kept nowhere: nothing of it may be shown.
            let screenedOut = result.diagnostics.contains { DiagnosticRenderer.screeningRules.contains($0.rule) }
            return LoadedFleet(file: file, source: screenedOut ? nil : bytes, result: result)
        case .tooLarge(let size):
            let diagnostic = SpecDiagnostic(
                .error,
                .fileTooLarge,
                "the file is \(size) bytes; the limit is \(options.maximumBytes) bytes",
                hint: "split the fleet into smaller files, or raise the limit with --max-bytes if the file is legitimate",
                file: file,
                at: nil
            )
            let result = FleetSpecLoader.Result(fleet: nil, diagnostics: [diagnostic])
            return LoadedFleet(file: file, source: nil, result: result)
        }
    }
}

extension LoadedFleet {
    /// A fleet file that could not be used: the message to print (diagnostics rendered with
    /// their source lines) and whether the file was unreadable (exit 2) or invalid (exit 1).
    struct Unusable: Error {
        var message: String
        var unreadable: Bool

        /// The exit code most commands use for it: 2 unreadable (I/O), 1 invalid.
        var exitCode: Int32 { self.unreadable ? CLIExit.usage : CLIExit.invalid }
    }

    /// Every diagnostic (warnings included), rendered with its source line for standard error;
    /// empty when there are none.
    var renderedDiagnostics: String {
        DiagnosticRenderer(useColor: Terminal.standardError.supportsColor).render(self.result.diagnostics, source: self.source)
    }

    /// The one path from a fleet file to a resolved fleet: read, load, validate, and render every
    /// diagnostic when it is not valid.
    static func resolve(_ file: String, options: FleetInputOptions) throws(Unusable) -> (LoadedFleet, ResolvedFleet) {
        let loaded: LoadedFleet
        do {
            loaded = try LoadedFleet.load(file, options: options)
        } catch {
            throw Unusable(message: "\(error)\n", unreadable: true)
        }
        guard let fleet = loaded.result.fleet else {
            throw Unusable(message: loaded.renderedDiagnostics, unreadable: false)
        }
        return (loaded, fleet)
    }
}
