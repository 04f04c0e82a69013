import Encoding

extension AttestationPolicySpec {
    /// A policy given as text (not in a fleet file) that does not fit the fleet file's
    /// `attestation.policy` schema; `description` lists every problem.
    public struct TextError: Error, CustomStringConvertible {
        /// Where the text came from (an environment variable, a flag).
        public var source: String
        /// The problems, one per line.
        public var problems: [String]

        public var description: String {
            "\(self.source) is not an attestation policy: " + self.problems.joined(separator: "; ")
                + " (it takes the fleet file's attestation.policy as JSON or YAML, e.g. {\"mrtd\":[\"<96 hex>\"]}, or base64url of that)"
        }
    }

    /// The policy as compact JSON with the fleet file's own keys (`mrtd`, `rtmr0`…`rtmr3`,
    /// `mrConfigId`, `mrOwner`, `rejectDebug`, `minTeeTcbSvn`, `acceptedTcbStatuses`), keys in a
    /// fixed order and unset pins left out; readable back with ``parse(_:source:)``.
    public var json: String {
        var fields: [(String, StructuredValue?)] = [("mrtd", .array(self.mrtd.map(StructuredValue.string)))]
        for (index, values) in self.rtmr.enumerated() where !values.isEmpty {
            fields.append(("rtmr\(index)", .array(values.map(StructuredValue.string))))
        }
        fields += [
            ("mrConfigId", self.mrConfigID.map(StructuredValue.string)),
            ("mrOwner", self.mrOwner.map(StructuredValue.string)),
            ("rejectDebug", .boolean(self.rejectDebug)),
            ("minTeeTcbSvn", self.minimumTeeTcbSvn.map(StructuredValue.string)),
            ("acceptedTcbStatuses", .array(self.acceptedTcbStatuses.map(StructuredValue.string))),
        ]
        return StructuredValue.object(fields).json()
    }

    /// ``json`` in base64url without padding: the form an agent's boot configuration carries in
    /// `DD_CP_POLICY`. Letters, digits, `-` and `_` only, so no quoting layer between the fleet
    /// file and the agent's environment (JSON in a JSON string in EasyEnclave's config, shells,
    /// `env` files) can mangle it.
    public var environmentValue: String {
        Base64URL.encode(Array(self.json.utf8))
    }

    /// Reads a policy written like the fleet file's `attestation.policy` — a JSON (or YAML)
    /// mapping, or ``environmentValue``'s base64url of one — checked against the same schema: the
    /// same measurements, rules and defaults.
    public static func parse(_ text: String, source: String) throws(TextError) -> AttestationPolicySpec {
        let trimmed = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        var document = Array(trimmed.utf8)
        if !trimmed.isEmpty, Base64URL.isAlphabet(trimmed) {
            guard let decoded = Base64URL.decode(trimmed), decoded.first == UInt8(ascii: "{") else {
                throw TextError(source: source, problems: ["it is neither a JSON or YAML mapping nor base64url of one"])
            }
            document = decoded
        }
        var diagnostics = DiagnosticCollector(file: source)
        guard let root = YAMLComposer.compose(document, diagnostics: &diagnostics) else {
            throw TextError(source: source, problems: diagnostics.diagnostics.map(\.message))
        }
        SchemaChecker.check(root, against: FleetSchema.policy, diagnostics: &diagnostics)
        guard !diagnostics.hasErrors else {
            throw TextError(source: source, problems: diagnostics.diagnostics.filter { $0.severity == .error }.map(\.message))
        }
        return FleetSpecDecoder.policy(root)
    }
}
