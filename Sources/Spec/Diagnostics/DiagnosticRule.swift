/// The identifier of a validation rule, such as `unknown-key`. Every diagnostic names one, so that
/// tools can match on it and `docs/fleet-spec.md` can explain it.
public struct DiagnosticRule: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The rule id as written in diagnostics.
    public var rawValue: String

    /// Creates a rule from its id.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { self.rawValue }

    public static func < (lhs: DiagnosticRule, rhs: DiagnosticRule) -> Bool { lhs.rawValue < rhs.rawValue }

    // MARK: Input and YAML

    /// The file is larger than the configured limit.
    public static let fileTooLarge = DiagnosticRule(rawValue: "file-too-large")
    /// The file is not valid UTF-8 text.
    public static let notUTF8 = DiagnosticRule(rawValue: "not-utf8")
    /// The file holds control characters or NUL bytes.
    public static let binaryContent = DiagnosticRule(rawValue: "binary-content")
    /// libyaml could not parse the file.
    public static let yamlSyntax = DiagnosticRule(rawValue: "yaml-syntax")
    /// More than one YAML document in one file.
    public static let multipleDocuments = DiagnosticRule(rawValue: "multiple-documents")
    /// The file holds no document.
    public static let emptyDocument = DiagnosticRule(rawValue: "empty-document")
    /// An explicit YAML tag (`!!python/object`, `!custom`, …).
    public static let yamlTag = DiagnosticRule(rawValue: "yaml-tag")
    /// Aliases expand to more nodes than allowed ("billion laughs").
    public static let aliasExpansion = DiagnosticRule(rawValue: "alias-expansion")
    /// An alias names an anchor that was never defined.
    public static let undefinedAlias = DiagnosticRule(rawValue: "undefined-alias")
    /// Nesting deeper than allowed.
    public static let nestingTooDeep = DiagnosticRule(rawValue: "nesting-too-deep")
    /// A mapping key that is not a scalar.
    public static let complexKey = DiagnosticRule(rawValue: "complex-key")
    /// A Unicode bidirectional control character, which makes text display other than it parses.
    public static let bidiControl = DiagnosticRule(rawValue: "bidi-control")

    // MARK: Structure

    /// A key the schema does not know.
    public static let unknownKey = DiagnosticRule(rawValue: "unknown-key")
    /// The same key twice in one mapping.
    public static let duplicateKey = DiagnosticRule(rawValue: "duplicate-key")
    /// A required field is absent.
    public static let missingField = DiagnosticRule(rawValue: "missing-field")
    /// A value of the wrong type.
    public static let typeMismatch = DiagnosticRule(rawValue: "type-mismatch")
    /// A value outside its allowed set (an enumeration).
    public static let invalidValue = DiagnosticRule(rawValue: "invalid-value")
    /// A number outside its allowed range.
    public static let outOfRange = DiagnosticRule(rawValue: "out-of-range")
    /// A whole number not written as plain decimal digits (`0x3`, `0o3`, `+3`, `017`).
    public static let numberFormat = DiagnosticRule(rawValue: "number-format")
    /// `apiVersion` or `kind` this build does not understand.
    public static let unsupportedVersion = DiagnosticRule(rawValue: "unsupported-version")
    /// Fields that exclude each other.
    public static let conflictingFields = DiagnosticRule(rawValue: "conflicting-fields")

    // MARK: Names and references

    /// A name that breaks its naming rule (GCE resource name, DNS label, label key/value, …).
    public static let invalidName = DiagnosticRule(rawValue: "invalid-name")
    /// A derived resource name longer than its cloud allows.
    public static let nameTooLong = DiagnosticRule(rawValue: "name-too-long")
    /// An MRTD or RTMR that is not 96 hex characters (or an SVN of the wrong length).
    public static let malformedMeasurement = DiagnosticRule(rawValue: "malformed-measurement")
    /// A reference to an environment that does not exist.
    public static let undefinedEnvironment = DiagnosticRule(rawValue: "undefined-environment")
    /// A reference to a workload that does not exist.
    public static let undefinedWorkload = DiagnosticRule(rawValue: "undefined-workload")
    /// A workload no pool runs (a warning).
    public static let unusedWorkload = DiagnosticRule(rawValue: "unused-workload")
    /// `from:` chains that loop.
    public static let inheritanceCycle = DiagnosticRule(rawValue: "inheritance-cycle")
    /// Two pools of one environment with one name, or two workloads of a pool with one app name.
    public static let duplicateName = DiagnosticRule(rawValue: "duplicate-name")

    // MARK: Hostnames

    /// A `{variable}` a template does not offer.
    public static let unknownTemplateVariable = DiagnosticRule(rawValue: "unknown-template-variable")
    /// A rendered hostname that is not a valid DNS name.
    public static let invalidHostname = DiagnosticRule(rawValue: "invalid-hostname")
    /// A rendered hostname outside the Cloudflare zone's domain.
    public static let hostnameOutsideDomain = DiagnosticRule(rawValue: "hostname-outside-domain")
    /// Two environments that would claim one hostname.
    public static let hostnameCollision = DiagnosticRule(rawValue: "hostname-collision")
    /// A hostname more than one label below the domain (not covered by Universal SSL).
    public static let hostnameDepth = DiagnosticRule(rawValue: "hostname-depth")

    // MARK: Secrets and platform

    /// A secret written as a literal value instead of a reference.
    public static let secretLiteral = DiagnosticRule(rawValue: "secret-literal")
    /// A machine type that cannot run Intel TDX.
    public static let tdxMachineType = DiagnosticRule(rawValue: "tdx-machine-type")
    /// A fleet that expands to more VMs than a limit allows (per environment, per fleet, previews).
    public static let expansionLimit = DiagnosticRule(rawValue: "expansion-limit")
    /// A preview request the previews section does not allow.
    public static let previewRejected = DiagnosticRule(rawValue: "preview-rejected")
}
