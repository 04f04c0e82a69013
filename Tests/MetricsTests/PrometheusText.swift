import Foundation
import Prometheus
import TestSupport

/// A registry's text, read back by the reference parser (`prometheus_client`, in the interop
/// virtualenv), so the tests check what a Prometheus server would ingest, not our own reading.
struct PrometheusText {
    /// One sample, as the parser read it.
    struct Sample: Sendable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// One metric family, as the parser read it (a counter's name without `_total`).
    struct Family: Sendable {
        var name: String
        var type: String
        var samples: [Sample]

        /// The distinct label names of its samples, bucket bounds (`le`) left out.
        var labelNames: Set<String> { Set(self.samples.flatMap(\.labels.keys)).subtracting(["le"]) }

        /// The value of the sample named `name` with exactly `labels`.
        func value(_ name: String? = nil, _ labels: [String: String]) -> Double? {
            self.samples.first { $0.name == (name ?? self.name) && $0.labels == labels }?.value
        }
    }

    var families: [Family]

    /// The family named `name`.
    func family(_ name: String) -> Family? { self.families.first { $0.name == name } }

    /// Parses `registry`'s text with `python`.
    static func parse(_ registry: PrometheusCollectorRegistry, python: String) async throws -> PrometheusText {
        try await self.parse(registry.emitToString(), python: python)
    }

    /// Parses `text` with `python`; throws when the parser refuses it.
    static func parse(_ text: String, python: String) async throws -> PrometheusText {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("prometheus_parse.py").path
        let result = try await TestEnvironment.offPool {
            try TestEnvironment.run(URL(fileURLWithPath: python), [script], input: Data(text.utf8))
        }
        guard result.status == 0 else { throw ParseError(description: "the parser refused the text: \(result.standardError)\n\(text)") }
        let decoded = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]] ?? []
        return PrometheusText(
            families: decoded.map { family in
                Family(
                    name: family["name"] as? String ?? "",
                    type: family["type"] as? String ?? "",
                    samples: (family["samples"] as? [[String: Any]] ?? []).map { sample in
                        Sample(
                            name: sample["name"] as? String ?? "",
                            labels: sample["labels"] as? [String: String] ?? [:],
                            value: (sample["value"] as? Double) ?? ((sample["value"] as? String) == "+Inf" ? .infinity : .nan)
                        )
                    }
                )
            }
        )
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }
}
