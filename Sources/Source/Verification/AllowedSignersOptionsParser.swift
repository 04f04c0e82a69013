/// Parses the options field of an `allowed_signers` line:
/// `namespaces="git,…"`, `valid-after="…"`, `valid-before="…"`, `cert-authority`, comma-separated.
/// Option names are case-insensitive and values must be double-quoted, as in OpenSSH.
struct AllowedSignersOptionsParser {
    private let text: [Character]
    private let line: Int
    private let firstColumn: Int
    private var position = 0

    /// A parser for `text`, which starts at `column` of `line`.
    init(text: [Character], line: Int, column: Int) {
        self.text = text
        self.line = line
        self.firstColumn = column
    }

    /// The options, or the first problem.
    mutating func parse() throws(AllowedSignersError) -> AllowedSignersLineParser.Options {
        var options = AllowedSignersLineParser.Options()
        var seen: Set<String> = []
        while true {
            let nameColumn = self.column
            let name = self.readName()
            let lowercased = name.lowercased()
            if lowercased == "cert-authority" {
                throw self.error(
                    .certificateAuthority,
                    at: nameColumn,
                    "cert-authority lines are not supported (SSH certificate signatures are not verified); list each signer's own public key instead"
                )
            }
            guard ["namespaces", "valid-after", "valid-before"].contains(lowercased) else {
                throw self.error(
                    .unknownOption,
                    at: nameColumn,
                    "unknown option \"\(name)\"; the options are namespaces=\"…\", valid-after=\"…\", valid-before=\"…\" (or none)"
                )
            }
            guard seen.insert(lowercased).inserted else {
                throw self.error(.badOption, at: nameColumn, "\(lowercased) appears twice; keep one")
            }
            let valueColumn = self.column + 1
            let value = try self.readValue(for: lowercased)
            try Self.apply(lowercased, value, to: &options, error: { self.error(.badTime, at: valueColumn, $0) })
            if self.position == self.text.count { break }
            guard self.text[self.position] == "," else {
                throw self.error(.badOption, at: self.column, "expected , or a blank after the \(lowercased) value")
            }
            self.position += 1
            guard self.position < self.text.count else {
                throw self.error(.badOption, at: self.column - 1, "the options end with a comma; remove it")
            }
        }
        if let after = options.validAfter, let before = options.validBefore, before <= after {
            throw self.error(.badTime, at: self.firstColumn, "valid-before is not later than valid-after; no time would be valid")
        }
        return options
    }

    private static func apply(
        _ name: String,
        _ value: String,
        to options: inout AllowedSignersLineParser.Options,
        error: (String) -> AllowedSignersError
    ) throws(AllowedSignersError) {
        switch name {
        case "namespaces":
            guard let list = PatternList(value) else {
                throw error("namespaces=\"\(value)\" lists an empty namespace; write e.g. namespaces=\"git\", or drop the option to allow all")
            }
            options.namespaces = list
        default:
            guard let seconds = UTCTimestamp.parse(value) else {
                throw error(
                    "\(name)=\"\(value)\" is not YYYYMMDD[HHMM[SS]]Z; write the time in UTC with a trailing Z, e.g. \(name)=\"20260101Z\""
                )
            }
            if name == "valid-after" { options.validAfter = seconds } else { options.validBefore = seconds }
        }
    }

    private var column: Int { self.firstColumn + self.position }

    private mutating func readName() -> String {
        let start = self.position
        while self.position < self.text.count, self.text[self.position] != "=", self.text[self.position] != "," {
            self.position += 1
        }
        return String(self.text[start..<self.position])
    }

    /// Reads `="value"` (a backslash escapes a quote inside), leaving the position after the
    /// closing quote.
    private mutating func readValue(for name: String) throws(AllowedSignersError) -> String {
        guard self.position < self.text.count, self.text[self.position] == "=" else {
            throw self.error(.badOption, at: self.column, "\(name) needs a value, e.g. \(name)=\"…\"")
        }
        self.position += 1
        guard self.position < self.text.count, self.text[self.position] == "\"" else {
            throw self.error(.badOption, at: self.column, "the \(name) value must be in double quotes, e.g. \(name)=\"…\"")
        }
        let open = self.column
        self.position += 1
        var value = ""
        while self.position < self.text.count {
            let character = self.text[self.position]
            self.position += 1
            if character == "\"" { return value }
            if character == "\\", self.position < self.text.count, self.text[self.position] == "\"" {
                value.append("\"")
                self.position += 1
            } else {
                value.append(character)
            }
        }
        throw self.error(.unterminatedQuote, at: open, "this quote is never closed; add the closing \"")
    }

    private func error(_ code: AllowedSignersError.Code, at column: Int, _ message: String) -> AllowedSignersError {
        AllowedSignersError(code, line: self.line, column: column, message)
    }
}
