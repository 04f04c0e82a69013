/// Checks a composed document against a ``SchemaType`` and reports every structural problem:
/// unknown keys (with suggestions), duplicate keys, missing fields, wrong types, values outside
/// their rule, enumeration or range, and secrets written as literals.
public struct SchemaChecker {
    private var diagnostics: DiagnosticCollector
    private var path = SchemaPath()

    private init(diagnostics: DiagnosticCollector) {
        self.diagnostics = diagnostics
    }

    /// Checks `node` against the object schema `schema`, adding to `diagnostics`.
    public static func check(_ node: YAMLNode, against schema: SchemaObject, diagnostics: inout DiagnosticCollector) {
        var checker = SchemaChecker(diagnostics: diagnostics)
        checker.check(node, .object(schema), reportingMissingAt: node.location)
        diagnostics = checker.diagnostics
    }

    private mutating func check(_ node: YAMLNode, _ type: SchemaType, reportingMissingAt owner: SourceLocation) {
        switch type {
        case .object(let object): self.checkObject(node, object, owner: owner)
        case .dictionary(let keys, let values): self.checkDictionary(node, keys: keys, values: values)
        case .list(let item, let minimumCount, let maximumCount):
            self.checkList(node, item: item, minimumCount: minimumCount, maximumCount: maximumCount)
        case .string(let rule, let allowed): self.checkString(node, rule: rule, allowed: allowed)
        case .integer(let minimum, let maximum): self.checkInteger(node, minimum: minimum, maximum: maximum)
        case .boolean: self.checkBoolean(node)
        case .secretReference: self.checkSecret(node, owner: owner)
        case .stringOrObject(let rule, let object):
            if node.mapping != nil {
                self.checkObject(node, object, owner: owner)
            } else if node.scalar != nil {
                self.checkString(node, rule: rule, allowed: nil)
            } else {
                self.mismatch(node, expected: "a string or a mapping")
            }
        }
    }

    private mutating func mismatch(_ node: YAMLNode, expected: String, hint: String? = nil) {
        if let scalar = node.scalar, scalar.resolvedKind == .null {
            self.diagnostics.error(
                .typeMismatch,
                "\(self.path.rendered) has no value; expected \(expected)",
                hint: hint ?? "give a value, or remove the key",
                at: node.location
            )
            return
        }
        self.diagnostics.error(
            .typeMismatch,
            "\(self.path.rendered) must be \(expected), not \(node.kindDescription)",
            hint: hint,
            at: node.location
        )
    }

    /// Reports the second and later occurrences of each key.
    private mutating func checkDuplicates(_ pairs: [YAMLPair]) -> Set<String> {
        var first: [String: SourceLocation] = [:]
        first.reserveCapacity(pairs.count)
        for pair in pairs {
            if let earlier = first[pair.key.text] {
                self.diagnostics.error(
                    .duplicateKey,
                    "duplicate key '\(pair.key.text)' in \(self.path.rendered) (first written at \(earlier))",
                    hint: "keep one of them; YAML keys must be unique",
                    at: pair.key.location
                )
            } else {
                first[pair.key.text] = pair.key.location
            }
        }
        return Set(first.keys)
    }

    private mutating func checkObject(_ node: YAMLNode, _ object: SchemaObject, owner: SourceLocation) {
        guard let pairs = node.mapping else {
            self.mismatch(node, expected: "a mapping (\(object.summary.lowercasedFirst))")
            return
        }
        let present = self.checkDuplicates(pairs)
        for pair in pairs {
            guard let field = object.field(named: pair.key.text) else {
                let names = object.fields.map(\.name)
                if pair.key.text == "<<" {
                    self.diagnostics.error(
                        .unknownKey,
                        "YAML merge keys ('<<') are not supported in \(self.path.rendered)",
                        hint: "write the fields out, or use `from:` to inherit between environments",
                        at: pair.key.location
                    )
                } else {
                    let suggestion = Suggestion.closest(to: pair.key.text, among: names)
                    self.diagnostics.error(
                        .unknownKey,
                        "unknown key '\(pair.key.text)' in \(self.path.rendered)"
                            + (suggestion.map { "; did you mean '\($0)'?" } ?? ""),
                        hint: suggestion == nil ? "known keys: \(names.joined(separator: ", "))" : nil,
                        at: pair.key.location
                    )
                }
                continue
            }
            self.path.push(key: pair.key.text)
            self.check(pair.value, field.type, reportingMissingAt: pair.key.location)
            self.path.pop()
        }
        for field in object.fields where field.isRequired && !present.contains(field.name) {
            self.diagnostics.error(
                .missingField,
                "\(self.path.rendered) is missing the required field '\(field.name)'",
                hint: "add `\(field.name):` — \(field.summary.lowercasedFirst)",
                at: owner
            )
        }
        for group in object.exclusiveGroups {
            let given = group.filter(present.contains)
            if given.count > 1, let second = pairs.last(where: { given.contains($0.key.text) }) {
                self.diagnostics.error(
                    .conflictingFields,
                    "\(self.path.rendered) gives both \(given.map { "'\($0)'" }.joined(separator: " and ")); they exclude each other",
                    hint: "keep only one of them",
                    at: second.key.location
                )
            }
        }
    }

    private mutating func checkDictionary(_ node: YAMLNode, keys: StringRule, values: SchemaType) {
        guard let pairs = node.mapping else {
            self.mismatch(node, expected: "a mapping of names to values")
            return
        }
        _ = self.checkDuplicates(pairs)
        for pair in pairs {
            if !keys.matches(pair.key.text) {
                self.diagnostics.error(
                    keys.diagnostic,
                    "'\(pair.key.text)' in \(self.path.rendered) is not \(keys.title)",
                    hint: keys.hint,
                    at: pair.key.location
                )
            }
            self.path.push(key: pair.key.text)
            self.check(pair.value, values, reportingMissingAt: pair.key.location)
            self.path.pop()
        }
    }

    private mutating func checkList(_ node: YAMLNode, item: SchemaType, minimumCount: Int, maximumCount: Int?) {
        guard let items = node.sequence else {
            self.mismatch(node, expected: "a list", hint: "write a YAML list: `[a, b]`, or one `- item` per line")
            return
        }
        if items.count < minimumCount {
            self.diagnostics.error(
                .outOfRange,
                "\(self.path.rendered) needs at least \(minimumCount) item\(minimumCount == 1 ? "" : "s")",
                at: node.location
            )
        }
        if let maximumCount, items.count > maximumCount {
            self.diagnostics.error(.outOfRange, "\(self.path.rendered) allows at most \(maximumCount) items", at: node.location)
        }
        for (index, element) in items.enumerated() {
            self.path.push(index: index)
            self.check(element, item, reportingMissingAt: element.location)
            self.path.pop()
        }
    }

    private mutating func checkString(_ node: YAMLNode, rule: StringRule?, allowed: [String]?) {
        guard let scalar = node.scalar, scalar.resolvedKind == .string else {
            let hint = node.scalar.flatMap { $0.resolvedKind == .null ? nil : "quote it: \"\($0.text)\"" }
            self.mismatch(node, expected: rule?.title ?? "a string", hint: hint)
            return
        }
        if let allowed, !allowed.contains(scalar.text) {
            let rule: DiagnosticRule = self.path.rendered == "apiVersion" || self.path.rendered == "kind" ? .unsupportedVersion : .invalidValue
            self.diagnostics.error(
                rule,
                "'\(scalar.text)' is not a valid value for \(self.path.rendered)" + Suggestion.phrase(for: scalar.text, among: allowed),
                hint: "allowed: \(allowed.joined(separator: ", "))",
                at: node.location
            )
        }
        if let rule, !rule.matches(scalar.text) {
            self.diagnostics.error(
                rule.diagnostic,
                "\(self.path.rendered) '\(scalar.text)' is not \(rule.title)",
                hint: rule.hint,
                at: node.location
            )
        }
    }

    private mutating func checkInteger(_ node: YAMLNode, minimum: Int, maximum: Int) {
        guard let scalar = node.scalar, scalar.resolvedKind == .integer else {
            let hint = node.scalar.flatMap { $0.resolvedKind == .string ? "write a whole number without quotes" : nil }
            self.mismatch(node, expected: "a whole number", hint: hint)
            return
        }
        guard Self.isPlainDecimal(scalar.text) else {
            self.diagnostics.error(
                .numberFormat,
                "\(self.path.rendered) is written '\(scalar.text)'; whole numbers are plain decimal digits",
                hint: "write it without a sign, base prefix or leading zero"
                    + (scalar.integerValue.map { $0 >= 0 ? ", like \($0)" : "" } ?? ""),
                at: node.location
            )
            return
        }
        guard let value = scalar.integerValue, value >= minimum, value <= maximum else {
            self.diagnostics.error(
                .outOfRange,
                "\(self.path.rendered) is \(scalar.text); it must be between \(minimum) and \(maximum)",
                at: node.location
            )
            return
        }
    }

    /// True for `0`, `17`, `-4`: no `+`, no `0x`/`0o` prefix, no leading zero (YAML 1.1 reads
    /// `017` as octal 15, YAML 1.2 as 17, so the spec accepts neither reading).
    private static func isPlainDecimal(_ text: String) -> Bool {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        guard let first = digits.first, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return false }
        return first != UInt8(ascii: "0") || digits.count == 1
    }

    private mutating func checkBoolean(_ node: YAMLNode) {
        guard let scalar = node.scalar, scalar.resolvedKind == .boolean else {
            let hint: String? =
                switch node.scalar?.text.lowercased() {
                case "yes", "no", "on", "off", "y", "n":
                    "YAML 1.2 reads '\(node.scalar?.text ?? "")' as a string; write true or false"
                default: "write true or false"
                }
            self.mismatch(node, expected: "true or false", hint: hint)
            return
        }
    }

    private mutating func checkSecret(_ node: YAMLNode, owner: SourceLocation) {
        if let scalar = node.scalar {
            guard scalar.resolvedKind != .null else {
                self.mismatch(node, expected: "a secret reference ({env: NAME} or {file: PATH})")
                return
            }
            // Never repeat the value: it is probably a real secret.
            self.diagnostics.error(
                .secretLiteral,
                "\(self.path.rendered) holds a literal secret; secrets must be references",
                hint: "write `{env: VARIABLE}` or `{file: /path/to/secret}`, and rotate this secret: it is in git history now",
                at: node.location,
                redactsSource: true
            )
            return
        }
        let reference = SchemaObject(
            summary: "A reference to a secret.",
            fields: [
                SchemaField("env", .string(rule: .variableName), "Read the secret from this environment variable."),
                SchemaField("file", .string(rule: .secretPath), "Read the secret from this file."),
            ],
            exclusiveGroups: [["env", "file"]]
        )
        guard let pairs = node.mapping else {
            self.mismatch(node, expected: "a secret reference ({env: NAME} or {file: PATH})")
            return
        }
        self.checkObject(node, reference, owner: owner)
        if !pairs.contains(where: { $0.key.text == "env" || $0.key.text == "file" }) {
            self.diagnostics.error(
                .missingField,
                "\(self.path.rendered) must name where the secret is: `env` or `file`",
                hint: "write `{env: VARIABLE}` or `{file: /path/to/secret}`",
                at: node.location
            )
        }
    }
}

extension StringRule {
    /// A path to a file holding a secret.
    public static let secretPath = StringRule(
        title: "a file path",
        pattern: "^[^\\s]+$",
        maximumLength: 4096,
        diagnostic: .invalidValue,
        hint: "write a path without spaces, like /run/secrets/cloudflare-token"
    ) { value in !value.isEmpty && !value.unicodeScalars.contains { $0.properties.isWhitespace } }
}

extension String {
    /// The string with its first character lowercased, for embedding a summary in a sentence.
    var lowercasedFirst: String {
        guard let first = self.first else { return self }
        return first.lowercased() + self.dropFirst()
    }
}
