import Daemon
import Foundation

/// `dd-bench daemon-child CONFIG.json`: the daemon alone in its own process, so that its resident
/// memory is not mixed with the emulators'. Runs the loop for `passes` passes (the start pass,
/// then one per wake), samples `VmRSS` after the passes listed in `samples`, and prints one
/// JSON ``Report``.
enum MemoryChild {
    struct Configuration: Codable {
        var endpoints: DaemonEndpoints
        var passes: Int
        var samples: [Int]
    }

    struct Sample: Codable {
        var pass: Int
        var rssKB: Int
    }

    struct Report: Codable {
        var samples: [Sample]
        var peakKB: Int
        /// Passes by result.
        var results: [String: Int]
        var passMsMedian: Double
    }

    static func run(configurationFile: String) async throws {
        let configuration = try JSONDecoder().decode(Configuration.self, from: Data(contentsOf: URL(fileURLWithPath: configurationFile)))
        let rig = try await DaemonRig.make(configuration.endpoints)
        let report = try await rig.withRunning { rig in
            var samples: [Sample] = []
            var results: [String: Int] = [:]
            var durations: [Duration] = []
            var pass = await rig.passes.pass(after: 0)
            while true {
                results[pass.result, default: 0] += 1
                durations.append(pass.duration)
                if configuration.samples.contains(pass.number) { samples.append(Sample(pass: pass.number, rssKB: Self.status("VmRSS:"))) }
                guard pass.number < configuration.passes else { break }
                pass = await rig.idlePass()
            }
            return Report(
                samples: samples,
                peakKB: Self.status("VmHWM:"),
                results: results,
                passMsMedian: DaemonBenchmark.percentile(durations, 0.5).milliseconds
            )
        }
        let data = try JSONEncoder().encode(report)
        print(String(decoding: data, as: UTF8.self))
    }

    /// A `/proc/self/status` figure in kB (-1 when unreadable).
    static func status(_ key: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return -1 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }

    /// Runs this executable as `daemon-child`; its standard output.
    static func spawn(configurationFile: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["daemon-child", configurationFile]
        let output = Pipe()
        process.standardOutput = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else { throw BenchmarkError(message: "daemon-child exited \(status): \(text)") }
        return text
    }
}
