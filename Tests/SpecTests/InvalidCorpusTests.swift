import Foundation
import Spec
import Testing

/// Every file under Fixtures/invalid breaks one rule; its first line says which and where:
/// `# expect: <rule> <line>:<column>`. The loader must report that rule at that place.
@Suite struct InvalidCorpusTests {
    @Test func corpusHasAtLeastFortyCases() {
        #expect(Fixtures.invalidNames.count >= 40)
    }

    @Test(arguments: Fixtures.invalidNames)
    func reportsTheExpectedDiagnostic(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: Fixtures.invalidDirectory.appendingPathComponent(name)))
        let header = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = header.replacingOccurrences(of: "# expect: ", with: "").split(separator: " ")
        try #require(parts.count == 2, "malformed header in \(name): \(header)")
        let rule = String(parts[0])
        let location = String(parts[1])

        let result = FleetSpecLoader.load(bytes, file: name)

        #expect(!result.isValid)
        #expect(result.fleet == nil)
        let found = result.diagnostics.contains { diagnostic in
            diagnostic.rule.rawValue == rule && diagnostic.location.map { "\($0.line):\($0.column)" } == location
        }
        #expect(
            found,
            "expected \(rule) at \(location); got \(result.diagnostics.map { "\($0.rule) \($0.location.map(\.description) ?? "-") \($0.message)" })"
        )
        #expect(result.diagnostics.allSatisfy { !$0.message.isEmpty && $0.file == name })
    }

    @Test func minimalFleetIsValid() throws {
        let result = Fixtures.load(try Fixtures.minimalFleetText)
        #expect(result.isValid, "\(result.diagnostics)")
        #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty)
    }

    @Test func exampleFleetIsValidWithoutWarnings() throws {
        let result = FleetSpecLoader.load(try Fixtures.bytes("examples/fleet.yaml"), file: "examples/fleet.yaml")
        #expect(result.isValid)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    }

    @Test func reportsEveryProblemAtOnce() throws {
        var text = try Fixtures.minimalFleetText
        text = text.replacingOccurrences(of: "count: 2", with: "count: 9999\n        machinetype: x")
        text = text.replacingOccurrences(of: "hostname: app.{domain}", with: "hostname: app.{domian}")
        text = text.replacingOccurrences(of: "from: production", with: "from: prod")
        let result = Fixtures.load(text)
        let rules = Set(result.diagnostics.map(\.rule))
        #expect(rules.isSuperset(of: [.outOfRange, .unknownKey, .unknownTemplateVariable, .undefinedEnvironment]))
        #expect(result.diagnostics == result.diagnostics.sorted())
    }

    @Test func suggestsTheClosestKey() throws {
        let text = try Fixtures.minimalFleetText.replacingOccurrences(of: "    zone: us-central1-c", with: "    zoen: us-central1-c")
        let diagnostic = try #require(Fixtures.load(text).diagnostics.first { $0.rule == .unknownKey })
        #expect(diagnostic.message.contains("did you mean 'zone'?"))
    }

    @Test func literalSecretsAreNeverRepeated() throws {
        let secret = "v1.0-0123456789abcdef-topsecret"
        let text = try Fixtures.minimalFleetText.replacingOccurrences(of: "apiToken: {env: CF_TOKEN}", with: "apiToken: \(secret)")
        let diagnostics = Fixtures.load(text).diagnostics
        let diagnostic = try #require(diagnostics.first { $0.rule == .secretLiteral })
        #expect(diagnostic.redactsSource)
        #expect(diagnostics.allSatisfy { !$0.message.contains(secret) && !($0.hint ?? "").contains(secret) })
    }
}
