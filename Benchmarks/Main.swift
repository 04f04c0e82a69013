import Foundation

/// `dd-bench`: release-built benchmarks, one JSON line per benchmark on standard output.
/// The Python peers come from `DD_PYTHON` (the virtualenv `make prereqs` creates). Arguments
/// select benchmarks (`reconcile` — or just `plan` / `converge` —, `spec`, `attestation`,
/// `observe`, `noise`, `registration`, `daemon`); none runs them all. `--quick` makes `daemon` a
/// smoke run (smaller fleets, fewer commits and passes); `--part=latency|idle|memory` (repeatable)
/// runs only those parts of it.
@main
enum BenchmarkMain {
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["DD_PYTHON"] ?? ".build/venv/bin/python"
        let arguments = CommandLine.arguments.dropFirst()
        let selected = Set(arguments.filter { !$0.hasPrefix("--") })
        let quick = arguments.contains("--quick")
        do {
            if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "plan-child" {
                try ReconcileBenchmark.planChild(directory: CommandLine.arguments[2], vms: Int(CommandLine.arguments[3]) ?? 10_000)
                return
            }
            if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "daemon-child" {
                try await MemoryChild.run(configurationFile: CommandLine.arguments[2])
                return
            }
            // First, so that its peak-memory figure is its own.
            if selected.isEmpty || selected.contains("reconcile") || selected.contains("plan") || selected.contains("converge") {
                try await ReconcileBenchmark().run(selected.intersection(["plan", "converge"]))
            }
            if selected.isEmpty || selected.contains("spec") {
                try SpecBenchmark(python: python).run()
            }
            if selected.isEmpty || selected.contains("observe") {
                try await ObserveBenchmark().run()
            }
            if selected.isEmpty || selected.contains("registration") {
                try await RegistrationBenchmark().run()
            }
            if selected.isEmpty || selected.contains("noise") {
                try NoiseBenchmark(python: python).run()
            }
            if selected.isEmpty || selected.contains("attestation") {
                try await AttestationBenchmark(python: python, testdata: environment["DD_TESTDATA"] ?? "../shared/testdata").run()
            }
            if selected.isEmpty || selected.contains("daemon") {
                let parts = arguments.filter { $0.hasPrefix("--part=") }.map { String($0.dropFirst("--part=".count)) }
                try await DaemonBenchmark(quick: quick, parts: Set(parts)).run()
            }
        } catch {
            FileHandle.standardError.write(Data("dd-bench: error: \(error)\n".utf8))
            exit(1)
        }
    }
}
