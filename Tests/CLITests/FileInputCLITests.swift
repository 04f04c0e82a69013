import Emulators
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every file the CLI reads is checked before it is read — a regular file, under a size cap,
/// never on /proc, /sys or /dev — and read with a cap; nothing of a file that failed screening
/// is printed; `plan --out` never follows a symlink; a retried call says what it retries.
@Suite struct FileInputCLITests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-file-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(
        "validate refuses devices, FIFOs and /proc files at once, without reading them (exit 2)",
        arguments: ["/dev/zero", "fifo", "/proc/self/environ"]
    )
    func specialFilesAreRefused(_ name: String) async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var path = name
        if name == "fifo" {
            path = directory.appendingPathComponent("fleet.yaml").path
            #expect(mkfifo(path, 0o600) == 0)
        }
        let canary = "ddcanaryVALIDATE" + UUID().uuidString
        // A FIFO read would block forever and /dev/zero read 16 MiB: both are refused unread.
        let result = try await CLITests.runOffPool(["validate", path], environment: ["DD_CANARY": canary])
        #expect(result.status == 2, "\(result.status) \(result.standardError.prefix(500))")
        #expect(
            result.standardError.contains("not a regular file") || result.standardError.contains("/proc, /sys or /dev"),
            "\(result.standardError)"
        )
        #expect(!result.standardError.contains(canary) && result.standardError.utf8.count < 1000)
    }

    @Test("a fleet file that fails screening (binary, not UTF-8) is diagnosed without an excerpt")
    func screenedFilesShowNoExcerpt() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let canary = "ddcanarySCREEN" + UUID().uuidString.prefix(8)
        let binary = directory.appendingPathComponent("environ.yaml")
        try Data("PATH=/usr/bin\u{0}TOKEN=\(canary)\u{0}".utf8).write(to: binary)
        let latin1 = directory.appendingPathComponent("latin1.yaml")
        try Data("name: \(canary) caf".utf8 + [0xE9] + Array("\n".utf8)).write(to: latin1)
        for file in [binary, latin1] {
            let result = try await CLITests.runOffPool(["validate", file.path])
            #expect(result.status == 1, "\(result.standardError)")
            #expect(result.standardError.contains("[binary-content]") || result.standardError.contains("[not-utf8]"), "\(result.standardError)")
            #expect(!result.standardError.contains(canary), "\(result.standardError)")
            let json = try await CLITests.runOffPool(["validate", file.path, "--format", "json"])
            #expect(!json.standardOutput.contains(canary) && !json.standardError.contains(canary))
        }
    }

    @Test("apply of a 2 GB file (sparse, starting like a saved plan) is refused by its size, before reading")
    func hugeFilesAreRefusedBeforeReading() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let huge = directory.appendingPathComponent("plan.json")
        try Data("{\"formatVersion\": 1, ".utf8).write(to: huge)
        #expect(truncate(huge.path, 2 << 30) == 0)
        let result = try await CLITests.runOffPool(["apply", huge.path, "--auto-approve"])
        #expect(result.status == 1, "\(result.status) \(result.standardError)")
        #expect(result.standardError.contains("the file is 2147483648 bytes; the limit is"), "\(result.standardError)")
    }

    @Test("plan --out refuses a symlink at the target and writes through a temporary file")
    func planOutRefusesSymlinks() async throws {
        try await CLIFleet.with { fleet in
            let victim = fleet.directory.appendingPathComponent("victim.txt")
            try Data("keep me\n".utf8).write(to: victim)
            let link = fleet.directory.appendingPathComponent("plan.json")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: victim)
            let refused = try await fleet.run(["plan", PlanApplyCLITests.fleet, "--out", link.path])
            #expect(refused.status == 1 && refused.standardError.contains("symbolic link"), "\(refused.standardError)")
            #expect(try String(contentsOf: victim, encoding: .utf8) == "keep me\n", "the link's target is untouched")
            try FileManager.default.removeItem(at: link)
            let written = try await fleet.run(["plan", PlanApplyCLITests.fleet, "--out", link.path])
            #expect(written.status == 2, "\(written.standardError)")
            let names = try FileManager.default.contentsOfDirectory(atPath: fleet.directory.path)
            #expect(!names.contains { $0.hasSuffix(".tmp") }, "\(names)")
            let attributes = try FileManager.default.attributesOfItem(atPath: link.path)
            #expect(attributes[.type] as? FileAttributeType == .typeRegular)
            #expect(try await fleet.run(["apply", link.path]).status == 0)
        }
    }

    @Test("a secret file must be a regular file under the cap: a FIFO or a huge file is refused at once, naming only the reference")
    func secretFilesAreScreened() async throws {
        try await CLIFleet.with { fleet in
            let fifo = fleet.directory.appendingPathComponent("token-fifo").path
            #expect(mkfifo(fifo, 0o600) == 0)
            let huge = fleet.directory.appendingPathComponent("token-huge").path
            _ = FileManager.default.createFile(atPath: huge, contents: Data("x".utf8))
            #expect(truncate(huge, 1 << 30) == 0)
            let text = try String(contentsOfFile: PlanApplyCLITests.fleet, encoding: .utf8)
            for (path, reason) in [(fifo, "FIFO"), (huge, "the limit is")] {
                let file = fleet.directory.appendingPathComponent("fleet-\(reason.prefix(4)).yaml")
                try text.replacingOccurrences(of: "apiToken: { env: DD_CF_API_TOKEN }", with: "apiToken: { file: \(path) }")
                    .write(to: file, atomically: true, encoding: .utf8)
                let result = try await fleet.run(["apply", file.path, "--auto-approve"])
                #expect(
                    result.status == 1 && result.standardError.contains("providers.cloudflare.apiToken (file:\(path))"),
                    "\(result.standardError)"
                )
                #expect(result.standardError.contains(reason), "\(result.standardError)")
            }
        }
    }

    @Test("a call without an answer gives up within --retry-budget, saying what it retries (host, operation, attempt n/N, wait), never the token")
    func retriesAreBoundedAndAnnounced() async throws {
        try await CLIFleet.with { fleet in
            let token = try #require(fleet.environment["DD_CF_API_TOKEN"])
            // Nothing listens on port 1 of the loopback address: AsyncHTTPClient keeps trying to
            // connect until the request's deadline (30 s), so each attempt takes all of it.
            // The budget (3 s), not 6 attempts of 30 s, bounds the call; the line says so.
            let unreachable = try await fleet.run(
                ["plan", PlanApplyCLITests.fleet, "--retry-budget", "3"],
                extra: ["DD_CLOUDFLARE_ENDPOINT": "http://127.0.0.1:1/client/v4"]
            )
            let givingUp = unreachable.standardError.split(separator: "\n").filter {
                $0.contains("giving up on cloudflare tunnels.list at 127.0.0.1:1") && $0.contains("of a 3.00 s retry budget")
            }
            #expect(!givingUp.isEmpty, "\(unreachable.standardError.suffix(2000))")
            #expect(unreachable.standardOutput.contains("gave up after"), "\(unreachable.standardOutput.prefix(2000))")
            // An endpoint that answers 503 at once: retried with backoff, each retry announced.
            fleet.server.faults.add([.init(route: "tunnels.list", status: 503, count: 1000)])
            // (A budget long enough that a loaded machine still gets to the second attempt.)
            let failing = try await fleet.run(["plan", PlanApplyCLITests.fleet, "--retry-budget", "20"])
            let lines = failing.standardError.split(separator: "\n")
            #expect(
                lines.contains { $0.contains("retrying cloudflare tunnels.list at 127.0.0.1:") && $0.contains("(attempt 2/6) in ") },
                "\(failing.standardError.suffix(2000))"
            )
            for output in [unreachable.standardError, failing.standardError] { #expect(!output.contains(token)) }
        }
    }
}
