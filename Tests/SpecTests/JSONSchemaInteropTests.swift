import Foundation
import Spec
import TestSupport
import Testing

/// The exported JSON Schema is checked by an independent implementation: Python's `jsonschema`
/// (Draft 2020-12), reading YAML with PyYAML's C loader. It must accept the example fleet and
/// reject structural errors from the invalid corpus.
@Suite struct JSONSchemaInteropTests {
    static let script = """
        import json, sys, yaml
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1]))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        for path in sys.argv[2:]:
            document = yaml.load(open(path), Loader=yaml.CSafeLoader)
            errors = list(validator.iter_errors(document))
            print(path, "valid" if not errors else "invalid")
        """

    @Test func pythonJsonschemaAgreesWithUs() async throws {
        guard let python = TestEnvironment.python(for: "jsonschema and PyYAML") else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dd-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let schemaPath = directory.appendingPathComponent("schema.json")
        try Data(JSONSchemaExporter.fleetSchema().prettyJSON().utf8).write(to: schemaPath)
        let scriptPath = directory.appendingPathComponent("check.py")
        try Data(Self.script.utf8).write(to: scriptPath)

        // Structural errors jsonschema must also see. (Not `tty-yes`: PyYAML follows YAML 1.1,
        // where `yes` is a boolean; we follow YAML 1.2, where it is a string.)
        let structural = [
            "unknown-key-typo", "missing-metadata-name", "count-as-string", "count-out-of-range", "wrong-kind", "bad-zone",
            "short-mrtd", "literal-api-token", "zone-and-zones", "bad-tcb-status",
        ]
        let valid = [
            Fixtures.repositoryRoot.appendingPathComponent("examples/fleet.yaml").path,
            Fixtures.testsDirectory.appendingPathComponent("Fixtures/valid-minimal.yaml").path,
        ]
        let invalid = structural.map { Fixtures.invalidDirectory.appendingPathComponent("\($0).yaml").path }

        let arguments = [scriptPath.path, schemaPath.path] + valid + invalid
        let result = try await TestEnvironment.offPool { try TestEnvironment.run(URL(fileURLWithPath: python), arguments) }
        let output = result.standardOutput
        #expect(result.status == 0, "\(output)\(result.standardError)")
        var verdicts: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { verdicts[String(parts[0])] = String(parts[1]) }
        }
        for path in valid { #expect(verdicts[path] == "valid", "\(path)") }
        for path in invalid { #expect(verdicts[path] == "invalid", "\(path)") }
    }
}
