import Foundation
import Spec

/// Load + validate + expand a generated fleet, against PyYAML's C loader (`CSafeLoader`) parsing
/// the same file in the same run. Prints one JSON line.
struct SpecBenchmark {
    var environments = 2000
    var workloads = 10_000
    var iterations = 5
    var python: String

    func run() throws {
        let text = FleetGenerator(environments: self.environments, workloads: self.workloads).text()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dd-bench-fleet-\(getpid()).yaml")
        try Data(text.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }

        var vmCount = 0
        var oursMilliseconds: [Double] = []
        var parseMilliseconds: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<self.iterations {
            var state: DesiredState?
            let elapsed = try clock.measure {
                let bytes = [UInt8](try Data(contentsOf: path))
                let result = FleetSpecLoader.load(bytes, file: "bench.yaml")
                guard let fleet = result.fleet else {
                    throw BenchmarkError(message: "generated fleet is invalid: \(result.diagnostics.prefix(3))")
                }
                var diagnostics = DiagnosticCollector(file: "bench.yaml")
                state = FleetExpander.expand(fleet, previews: [1, 2, 3], diagnostics: &diagnostics)
            }
            vmCount = state?.allVMs.count ?? 0
            oursMilliseconds.append(elapsed.milliseconds)
            let parseOnly = clock.measure {
                var diagnostics = DiagnosticCollector(file: "bench.yaml")
                _ = YAMLComposer.compose(Array(text.utf8), diagnostics: &diagnostics)
            }
            parseMilliseconds.append(parseOnly.milliseconds)
        }
        let peakMegabytes = Self.peakResidentMegabytes()
        let peer = try self.pyYAML(path: path.path)
        let ours = Self.median(oursMilliseconds)
        let line = StructuredValue.object([
            ("benchmark", .string("spec.load_validate_expand")),
            ("environments", .integer(self.environments)),
            ("workloads", .integer(self.workloads)),
            ("vms", .integer(vmCount)),
            ("file_bytes", .integer(text.utf8.count)),
            ("iterations", .integer(self.iterations)),
            ("ours_median_ms", .string(Self.format(ours))),
            ("ours_min_ms", .string(Self.format(oursMilliseconds.min() ?? 0))),
            ("ours_compose_only_median_ms", .string(Self.format(Self.median(parseMilliseconds)))),
            ("ours_peak_rss_mb", .string(Self.format(peakMegabytes))),
            ("peer", .string("PyYAML \(peer.version) CSafeLoader, parse only")),
            ("peer_median_ms", .string(Self.format(peer.median))),
            ("peer_min_ms", .string(Self.format(peer.minimum))),
            ("ratio_ours_to_peer", .string(Self.format(ours / peer.median, digits: 3))),
            ("goal", .string("ratio <= 1.0")),
        ])
        print(line.json())
    }

    private func pyYAML(path: String) throws -> (median: Double, minimum: Double, version: String) {
        let script = """
            import json, statistics, sys, time, yaml
            assert yaml.__with_libyaml__, "PyYAML lacks its C extension"
            data = open(sys.argv[1], "rb").read()
            times = []
            for _ in range(int(sys.argv[2])):
                start = time.perf_counter()
                yaml.load(data, Loader=yaml.CSafeLoader)
                times.append((time.perf_counter() - start) * 1000)
            print(json.dumps({"median": statistics.median(times), "min": min(times), "version": yaml.__version__}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: self.python)
        process.arguments = ["-c", script, path, String(self.iterations)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let median = result["median"] as? Double, let minimum = result["min"] as? Double, let version = result["version"] as? String
        else {
            throw BenchmarkError(message: "the PyYAML peer failed; run `make prereqs` to create .build/venv")
        }
        return (median, minimum, version)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }

    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { self.message }
}

extension Duration {
    var milliseconds: Double {
        let parts = self.components
        return Double(parts.seconds) * 1000 + Double(parts.attoseconds) / 1e15
    }
}
