import Spec

/// Renders diagnostics the way compilers do:
///
/// ```
/// fleet.yaml:12:7: error: unknown key 'machinetype' in environments.production.pools[0]; did you mean 'machineType'? [unknown-key]
///    12 |       machinetype: c3-standard-4
///       |       ^
///       = hint: …
/// ```
///
/// A diagnostic about a secret never shows its source line's value, and a file that failed
/// screening (binary, not UTF-8, too large) shows no line at all: it may be anything — a key, a
/// process's environment — and nothing of it reaches a terminal or a CI log.
struct DiagnosticRenderer {
    var useColor: Bool

    /// The rules of the byte-level screening that runs before parsing: with any of them, the
    /// file is not shown.
    static let screeningRules: [DiagnosticRule] = [.binaryContent, .notUTF8, .fileTooLarge]

    private func paint(_ text: String, _ code: String) -> String {
        self.useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    /// Renders `diagnostics` of one file whose text is `source` (nil when it is not text).
    func render(_ diagnostics: [SpecDiagnostic], source: [UInt8]?) -> String {
        let screenedOut = diagnostics.contains { Self.screeningRules.contains($0.rule) }
        let lines = screenedOut ? [] : source.map(Self.lines(of:)) ?? []
        var output = ""
        for diagnostic in diagnostics {
            let position = diagnostic.location.map { ":\($0.line):\($0.column)" } ?? ""
            let severity =
                diagnostic.severity == .error
                ? self.paint("error:", "1;31") : self.paint("warning:", "1;33")
            output += self.paint("\(diagnostic.file)\(position):", "1") + " \(severity) \(diagnostic.message) "
            output += self.paint("[\(diagnostic.rule)]", "2") + "\n"
            if let location = diagnostic.location, location.line >= 1, location.line <= lines.count {
                let number = String(location.line)
                let gutter = String(repeating: " ", count: number.count)
                var line = lines[location.line - 1]
                if diagnostic.redactsSource {
                    line = Self.redact(line, from: location.column)
                }
                output += self.paint(" \(number) | ", "34") + line + "\n"
                let caretPad = String(line.prefix(max(location.column - 1, 0)).map { $0 == "\t" ? "\t" : " " })
                output += self.paint(" \(gutter) | ", "34") + caretPad + self.paint("^", "1;32") + "\n"
                if let hint = diagnostic.hint {
                    output += self.paint(" \(gutter) = ", "34") + "hint: \(hint)\n"
                }
            } else if let hint = diagnostic.hint {
                output += "   = hint: \(hint)\n"
            }
        }
        return output
    }

    /// The line with everything from `column` on replaced, so a secret never reaches a terminal
    /// or a CI log.
    static func redact(_ line: String, from column: Int) -> String {
        let kept = line.prefix(max(column - 1, 0))
        return kept + "<redacted>"
    }

    private static func lines(of source: [UInt8]) -> [String] {
        var body = source[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        return body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            // Control characters would garble a terminal: show them as U+FFFD.
            return String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 && $0 != "\t" ? "\u{FFFD}" : $0 }))
        }
    }

    /// `{"file":…,"line":…,…}` for `--format json`.
    static func structured(_ diagnostic: SpecDiagnostic) -> StructuredValue {
        .object([
            ("file", .string(diagnostic.file)),
            ("line", diagnostic.location.map { .integer($0.line) }),
            ("column", diagnostic.location.map { .integer($0.column) }),
            ("severity", .string(diagnostic.severity.rawValue)),
            ("rule", .string(diagnostic.rule.rawValue)),
            ("message", .string(diagnostic.message)),
            ("hint", StructuredValue.optional(diagnostic.hint)),
        ])
    }
}
