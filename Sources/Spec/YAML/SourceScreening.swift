/// Byte-level checks that run before any YAML parsing: size, encoding and binary content.
/// Each finds the first offending byte and says where it is.
enum SourceScreening {
    /// Screens `bytes`; returns the bytes to parse (without a UTF-8 byte-order mark) or nil after
    /// reporting why the file cannot be parsed.
    static func screen(_ bytes: [UInt8], limits: YAMLLimits, diagnostics: inout DiagnosticCollector) -> ArraySlice<UInt8>? {
        if bytes.count > limits.maximumBytes {
            diagnostics.error(
                .fileTooLarge,
                "the file is \(bytes.count) bytes; the limit is \(limits.maximumBytes) bytes",
                hint: "split the fleet into smaller files, or raise the limit with --max-bytes if the file is legitimate",
                at: nil
            )
            return nil
        }
        guard let body = Self.withoutByteOrderMark(bytes[...], diagnostics: &diagnostics),
            Self.isText(body, diagnostics: &diagnostics)
        else { return nil }
        return body
    }

    /// `body` without a UTF-8 byte-order mark, or nil after reporting a UTF-16 or UTF-32 one.
    private static func withoutByteOrderMark(_ body: ArraySlice<UInt8>, diagnostics: inout DiagnosticCollector) -> ArraySlice<UInt8>? {
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { return body.dropFirst(3) }
        guard body.starts(with: [0xFE, 0xFF]) || body.starts(with: [0xFF, 0xFE]) || body.starts(with: [0, 0]) else { return body }
        diagnostics.error(
            .notUTF8,
            "the file is UTF-16 or UTF-32 encoded; fleet files must be UTF-8",
            hint: "convert it, for example with `iconv -f UTF-16 -t UTF-8`",
            at: SourceLocation(line: 1, column: 1)
        )
        return nil
    }

    /// True when `body` is well-formed UTF-8 without control characters other than tab, newline
    /// and carriage return; otherwise reports the first offending byte. Its indices are offsets
    /// into the file.
    private static func isText(_ body: ArraySlice<UInt8>, diagnostics: inout DiagnosticCollector) -> Bool {
        var line = 1
        var column = 1
        var index = body.startIndex
        while index < body.endIndex {
            let byte = body[index]
            if byte < 0x80 {
                // ASCII: only tab, newline and carriage return among the control characters.
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte < 0x20 && byte != 0x09 && byte != 0x0D || byte == 0x7F {
                    diagnostics.error(
                        .binaryContent,
                        byte == 0
                            ? "the file holds a NUL byte: it looks like a binary file, not YAML"
                            : "the file holds the control character 0x\(String(byte, radix: 16, uppercase: true))",
                        hint: "fleet files are UTF-8 text; check that the right file was given",
                        at: SourceLocation(line: line, column: column)
                    )
                    return false
                } else {
                    column += 1
                }
                index += 1
                continue
            }
            guard let length = Self.validSequenceLength(body, at: index) else {
                diagnostics.error(
                    .notUTF8,
                    "the file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(index))",
                    hint: "save the file as UTF-8",
                    at: SourceLocation(line: line, column: column)
                )
                return false
            }
            if let control = BidiControl(utf8: body[index..<index + length]) {
                Self.report(control, at: SourceLocation(line: line, column: column), diagnostics: &diagnostics)
                return false
            }
            index += length
            column += 1
        }
        return true
    }

    /// Reports a bidirectional control character: it makes a reviewer read a different line than
    /// the parser does ("Trojan Source", CVE-2021-42574). The line is never shown.
    private static func report(_ control: BidiControl, at location: SourceLocation, diagnostics: inout DiagnosticCollector) {
        diagnostics.error(
            .bidiControl,
            "the file holds the bidirectional control character \(control) (\(control.name)): "
                + "it reorders how the text is displayed, so a review may not show what is parsed",
            hint: "delete it; fleet names and values never need one (find it with `grep -nP '\\x{\(control.hex)}'`)",
            at: location,
            redactsSource: true
        )
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or nil (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF).
    private static func validSequenceLength(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            upper = 0x9F
        case 0xF0:
            length = 4
            lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            upper = 0x8F
        default: return nil
        }
        guard index + length <= bytes.endIndex else { return nil }
        let second = bytes[index + 1]
        guard second >= lower && second <= upper else { return nil }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }
}
