import Foundation
import Spec
import Testing

/// Hostile or broken input is refused quickly with a clear diagnostic; never a crash or a hang.
@Suite struct HostileInputTests {
    /// The classic "billion laughs": nine levels of ten aliases, 10^9 nodes once expanded.
    static let aliasBomb: String = {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let letters = Array("abcdefghi")
        for index in 1..<letters.count {
            let previous = letters[index - 1]
            let aliases = Array(repeating: "*\(previous)", count: 9).joined(separator: ",")
            text += "\(letters[index]): &\(letters[index]) [\(aliases)]\n"
        }
        return text
    }()

    /// Refused by counting what aliases would copy against `maximumExpandedNodes`, never by
    /// expanding them (which would not finish): a bound, not a timing.
    @Test func aliasBombIsRefused() {
        #expect(Self.aliasBomb.utf8.count < 1024)
        let result = Fixtures.load(Self.aliasBomb)
        #expect(result.diagnostics.contains { $0.rule == .aliasExpansion && $0.message.contains("alias bomb") })
        #expect(!result.isValid)
        // The same budget, smaller: a file well inside the default is refused once it exceeds it.
        let modest = "a: &a [1, 2, 3, 4, 5, 6, 7, 8]\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        #expect(Fixtures.load(modest, limits: YAMLLimits(maximumExpandedNodes: 40)).diagnostics.contains { $0.rule == .aliasExpansion })
        #expect(!Fixtures.load(modest).diagnostics.contains { $0.rule == .aliasExpansion })
    }

    @Test func modestAliasesAreAllowed() throws {
        let text = try Fixtures.minimalFleetText
            .replacingOccurrences(of: "    cmd: [hello, --port, \"9000\"]", with: "    cmd: &command [hello, --port, \"9000\"]")
            .replacingOccurrences(of: "      - LOG_LEVEL=info", with: "      - LOG_LEVEL=info\n  second:\n    cmd: *command")
        let result = Fixtures.load(text)
        #expect(result.isValid, "\(result.diagnostics)")
    }

    @Test(arguments: [("[", "]"), ("{a: ", "}"), ("- ", "")])
    func deepNestingIsRefused(open: String, close: String) {
        let depth = 100_000
        let text = String(repeating: open, count: depth) + "x" + String(repeating: close, count: depth)
        let result = Fixtures.load(text)
        #expect(result.diagnostics.contains { $0.rule == .nestingTooDeep }, "\(result.diagnostics.prefix(2))")
    }

    @Test func oversizedFileIsRefusedBeforeParsing() {
        let result = Fixtures.load(String(repeating: "# padding\n", count: 200), limits: YAMLLimits(maximumBytes: 1000))
        #expect(result.diagnostics.map(\.rule) == [.fileTooLarge])
    }

    @Test func binaryContentIsRefusedWithItsPlace() {
        var bytes = Array("apiVersion: x\nkind: Fle".utf8)
        bytes += [0, 1, 2]
        let result = FleetSpecLoader.load(bytes, file: "binary.yaml")
        let diagnostic = result.diagnostics.first
        #expect(diagnostic?.rule == .binaryContent)
        #expect(diagnostic?.location == SourceLocation(line: 2, column: 10))
    }

    @Test func invalidUTF8IsRefusedWithItsPlace() {
        let bytes = Array("kind: Fleet\nname: caf".utf8) + [0xC3, 0x28] + Array("\n".utf8)
        let result = FleetSpecLoader.load(bytes, file: "latin1.yaml")
        #expect(result.diagnostics.first?.rule == .notUTF8)
        #expect(result.diagnostics.first?.location == SourceLocation(line: 2, column: 10))
    }

    @Test(arguments: [[0xFF, 0xFE, 0x61, 0x00], [0xFE, 0xFF, 0x00, 0x61], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF4, 0x90, 0x80, 0x80]])
    func otherEncodingsAndMalformedSequencesAreRefused(bytes: [UInt8]) {
        let result = FleetSpecLoader.load(bytes, file: "x.yaml")
        #expect(result.diagnostics.first?.rule == .notUTF8)
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(try Fixtures.minimalFleetText.utf8)
        #expect(FleetSpecLoader.load(bytes, file: "bom.yaml").isValid)
    }

    @Test func severalDocumentsAreRefused() throws {
        let result = Fixtures.load(try Fixtures.minimalFleetText + "---\nkind: Fleet\n")
        #expect(result.diagnostics.contains { $0.rule == .multipleDocuments })
    }

    @Test(arguments: ["!!python/object/apply:os.system [ls]", "!ruby/object:Gem::Installer {}", "!custom x", "!!binary aGVsbG8="])
    func languageSpecificTagsAreRefused(value: String) {
        let result = Fixtures.load("kind: \(value)\n")
        #expect(result.diagnostics.contains { $0.rule == .yamlTag })
    }

    @Test(arguments: ["", "# only a comment\n", "---\n", "~\n"])
    func emptyDocumentsAreRefused(text: String) {
        let result = Fixtures.load(text)
        #expect(result.diagnostics.map(\.rule) == [.emptyDocument])
    }

    @Test(arguments: ["[1, 2]", "just a string", "42"])
    func nonMappingRootIsRefused(text: String) {
        let result = Fixtures.load(text)
        #expect(result.diagnostics.contains { $0.rule == .typeMismatch })
        #expect(!result.isValid)
    }

    @Test func complexKeysAreRefused() {
        let result = Fixtures.load("? [a, b]\n: value\n")
        #expect(result.diagnostics.contains { $0.rule == .complexKey })
    }
}
