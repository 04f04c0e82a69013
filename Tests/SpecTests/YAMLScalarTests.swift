import Spec
import Testing

/// Plain scalars resolve by the YAML 1.2 core schema; quoted ones are always strings.
@Suite struct YAMLScalarTests {
    @Test(arguments: [
        ("", YAMLScalar.Kind.null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
        ("true", .boolean), ("False", .boolean), ("TRUE", .boolean),
        ("yes", .string), ("no", .string), ("on", .string), ("off", .string), ("nil", .string),
        ("0", .integer), ("-17", .integer), ("+3", .integer), ("0x1F", .integer), ("0o17", .integer), ("0o19", .string),
        ("1.5", .float), ("-.5", .float), ("1e10", .float), ("2.", .float), (".inf", .float), ("-.INF", .float), (".nan", .float),
        ("1e", .string), ("-", .string), (".", .string), ("1.2.3", .string), ("v1", .string), ("c3-standard-4", .string),
        ("12:30", .string), ("0x", .string), ("-.nan", .string),
    ])
    func plainScalarsResolve(text: String, kind: YAMLScalar.Kind) {
        #expect(YAMLScalar(text: text, style: .plain).resolvedKind == kind)
    }

    @Test(arguments: [YAMLScalar.Style.singleQuoted, .doubleQuoted, .literal, .folded])
    func quotedScalarsAreStrings(style: YAMLScalar.Style) {
        #expect(YAMLScalar(text: "true", style: style).resolvedKind == .string)
        #expect(YAMLScalar(text: "42", style: style).resolvedKind == .string)
    }

    @Test(arguments: [("42", 42), ("-7", -7), ("0x10", 16), ("0o10", 8), ("+5", 5)])
    func integersHaveTheirValues(text: String, value: Int) {
        #expect(YAMLScalar(text: text, style: .plain).integerValue == value)
    }

    @Test func composedNodesKeepTheirPositions() throws {
        var diagnostics = DiagnosticCollector(file: "t.yaml")
        let root = try #require(YAMLComposer.compose(Array("a:\n  b: [1, 'x']\n  c: \"é\"\n".utf8), diagnostics: &diagnostics))
        #expect(diagnostics.diagnostics.isEmpty)
        #expect(root["a"]?["b"]?.location == SourceLocation(line: 2, column: 6))
        #expect(root["a"]?["b"]?.sequence?[1].location == SourceLocation(line: 2, column: 10))
        #expect(root["a"]?["c"]?.string == "é")
        #expect(root["a"]?.mapping?.map(\.key.location) == [SourceLocation(line: 2, column: 3), SourceLocation(line: 3, column: 3)])
    }
}
