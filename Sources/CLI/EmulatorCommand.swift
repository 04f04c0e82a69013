import ArgumentParser
import Emulators
import Foundation

/// `devopsdefender emulator --cloudflare [--port N]`
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run loopback emulators of the cloud APIs, for local fleets and for trying the official SDKs.",
        discussion: """
            Serves the Cloudflare v4 API (tunnels, configurations, connections, DNS records) under \
            /client/v4 on 127.0.0.1, with the real envelopes, paging, error codes and rate limits, \
            plus an admin API under /_emulator (journal, fault injection, clock). Prints shell \
            `export` lines that point devopsdefender (and the SDKs) at it, then runs until \
            interrupted (Ctrl-C).

            Example:
              eval "$(devopsdefender emulator --cloudflare --port 8787 &)"

            See docs/emulators.md.
            """
    )

    @Flag(help: "Emulate the Cloudflare v4 API.")
    var cloudflare = false

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 0

    @Option(help: ArgumentHelp("API tokens the Cloudflare emulator accepts.", valueName: "token"))
    var cloudflareToken: String = "dd-emulator-cloudflare-token"

    func validate() throws {
        guard self.cloudflare else {
            throw ValidationError("choose what to emulate, e.g. `devopsdefender emulator --cloudflare`")
        }
        guard (0...65_535).contains(self.port) else { throw ValidationError("--port must be 0–65535") }
    }

    func run() async throws {
        let configuration = CloudflareEmulator.Configuration(tokens: [self.cloudflareToken])
        let server = try EmulatorServer(cloudflare: configuration)
        try await LoopbackServer.withRunning(server.router(), port: self.port) { port in
            let base = "http://127.0.0.1:\(port)"
            Terminal.standardOutput.write(
                """
                # devopsdefender emulator listening on \(base)
                export DD_CLOUDFLARE_ENDPOINT=\(base)/client/v4
                export DD_CF_API_TOKEN=\(configuration.tokens.first ?? "")
                export DD_CF_ACCOUNT_ID=\(configuration.accountID)
                export DD_CF_ZONE_ID=\(configuration.zoneID)
                # admin: curl \(base)/_emulator/journal

                """
            )
            try await Self.waitForInterrupt()
        }
    }

    /// Suspends until SIGINT or SIGTERM.
    static func waitForInterrupt() async throws {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { continuation.yield(signalNumber) }
            source.resume()
            sources.append(source)
        }
        for await _ in signals { break }
        for source in sources { source.cancel() }
    }
}
