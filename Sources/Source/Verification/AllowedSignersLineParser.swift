/// Parses one line of an `allowed_signers` file:
/// `principals [options] keytype base64key [comment]`.
struct AllowedSignersLineParser {
    private let characters: [Character]
    private let number: Int
    private var position = 0

    /// A parser for `line`, which is line `number` (1-based) of its file.
    init(_ line: Substring, number: Int) {
        self.characters = Array(line)
        self.number = number
    }

    /// The entry on the line; nil for a blank or comment line.
    mutating func parse() throws(AllowedSignersError) -> AllowedSigner? {
        self.skipBlanks()
        guard let first = self.peek(), first != "#" else { return nil }
        let principalsColumn = self.column
        let principalsText = try self.readField(quotedWhole: true)
        guard let principals = PatternList(principalsText) else {
            throw self.error(
                .badPrincipals,
                at: principalsColumn,
                "principals \"\(principalsText)\" must be comma-separated non-empty patterns, e.g. alice@example.com,*@ops.example.com"
            )
        }
        var options = Options()
        var typeColumn = try self.nextFieldColumn(after: "the principals")
        var typeName = try self.readField(quotedWhole: false)
        if !Self.looksLikeKeyType(typeName) {
            var optionsParser = AllowedSignersOptionsParser(text: Array(typeName), line: self.number, column: typeColumn)
            options = try optionsParser.parse()
            typeColumn = try self.nextFieldColumn(after: "the options")
            typeName = try self.readField(quotedWhole: false)
            guard Self.looksLikeKeyType(typeName) else {
                throw self.error(
                    .unknownKeyType,
                    at: typeColumn,
                    "\"\(typeName)\" is not an SSH key type; write the key as in a .pub file, e.g. ssh-ed25519 AAAA…"
                )
            }
        }
        let key = try self.readKey(typeName: typeName)
        self.skipBlanks()
        let comment = String(self.characters[self.position...]).trimmingSuffixBlanks()
        return AllowedSigner(
            principals: principals,
            key: key,
            namespaces: options.namespaces,
            validAfter: options.validAfter,
            validBefore: options.validBefore,
            comment: comment,
            line: self.number
        )
    }

    /// What the options field set.
    struct Options {
        var namespaces: PatternList?
        var validAfter: Int64?
        var validBefore: Int64?
    }

    private mutating func readKey(typeName: String) throws(AllowedSignersError) -> SSHPublicKey {
        let keyColumn = try self.nextFieldColumn(after: "the key type \(typeName)")
        let base64 = try self.readField(quotedWhole: false)
        do {
            return try SSHPublicKey(typeName: typeName, base64: base64)
        } catch {
            throw self.error(.badKey, at: keyColumn, "\(error.message); paste the key's second field from its .pub file unchanged")
        }
    }

    /// Key type names as OpenSSH spells them (`ssh-…`, `ecdsa-sha2-…`, `sk-…`, `…@openssh.com`);
    /// option names never look like these.
    private static func looksLikeKeyType(_ name: String) -> Bool {
        name.hasPrefix("ssh-") || name.hasPrefix("ecdsa-sha2-") || name.hasPrefix("sk-") || name.hasSuffix("@openssh.com")
    }

    // MARK: Scanning

    private var column: Int { self.position + 1 }

    private func peek() -> Character? {
        self.position < self.characters.count ? self.characters[self.position] : nil
    }

    private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

    private mutating func skipBlanks() {
        while let next = self.peek(), Self.isBlank(next) { self.position += 1 }
    }

    /// Skips blanks and returns the column of the next field; throws `missingKey` at the end.
    private mutating func nextFieldColumn(after what: String) throws(AllowedSignersError) -> Int {
        self.skipBlanks()
        guard self.peek() != nil else {
            throw self.error(.missingKey, at: self.column, "no key after \(what); add the key type and key, e.g. ssh-ed25519 AAAA…")
        }
        return self.column
    }

    /// Reads up to the next blank outside double quotes. With `quotedWhole`, a field that starts
    /// with `"` is the text between the quotes (OpenSSH allows quoting the principals).
    private mutating func readField(quotedWhole: Bool) throws(AllowedSignersError) -> String {
        let start = self.position
        if quotedWhole, self.peek() == "\"" {
            self.position += 1
            guard let close = self.characters[self.position...].firstIndex(of: "\"") else {
                throw self.error(.unterminatedQuote, at: start + 1, "this quote is never closed; add the closing \"")
            }
            self.position = close + 1
            return String(self.characters[(start + 1)..<close])
        }
        var inQuotes = false
        while let next = self.peek(), inQuotes || !Self.isBlank(next) {
            if next == "\"" { inQuotes.toggle() }
            self.position += 1
        }
        guard !inQuotes else {
            throw self.error(.unterminatedQuote, at: start + 1, "a quote in this field is never closed; add the closing \"")
        }
        return String(self.characters[start..<self.position])
    }

    private func error(_ code: AllowedSignersError.Code, at column: Int, _ message: String) -> AllowedSignersError {
        AllowedSignersError(code, line: self.number, column: column, message)
    }
}

extension String {
    fileprivate func trimmingSuffixBlanks() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
