import Foundation

/// `dd-bench`: release-built benchmarks, one JSON line per benchmark on standard output.
/// The Python peer comes from `DD_PYTHON` (the virtualenv `make prereqs` creates).
@main
enum BenchmarkMain {
    static func main() {
        let python = ProcessInfo.processInfo.environment["DD_PYTHON"] ?? ".build/venv/bin/python"
        do {
            try SpecBenchmark(python: python).run()
        } catch {
            FileHandle.standardError.write(Data("dd-bench: error: \(error)\n".utf8))
            exit(1)
        }
    }
}
