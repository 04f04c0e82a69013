/// One problem found in a fleet file: where it is, which rule it breaks, what is wrong and how to
/// fix it.
public struct SpecDiagnostic: Sendable, Hashable {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Comparable {
        /// The file is invalid; nothing may act on it.
        case error
        /// The file is valid, but probably not what its author meant.
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// How serious the problem is.
    public var severity: Severity
    /// The rule broken.
    public var rule: DiagnosticRule
    /// What is wrong, in one sentence.
    public var message: String
    /// How to fix it, when there is something specific to say.
    public var hint: String?
    /// The file's name as the user gave it.
    public var file: String
    /// Where, when the problem has a place in the file.
    public var location: SourceLocation?
    /// True when the source line holds a secret and must never be shown.
    public var redactsSource: Bool

    /// Creates a diagnostic.
    public init(
        _ severity: Severity,
        _ rule: DiagnosticRule,
        _ message: String,
        hint: String? = nil,
        file: String,
        at location: SourceLocation?,
        redactsSource: Bool = false
    ) {
        self.severity = severity
        self.rule = rule
        self.message = message
        self.hint = hint
        self.file = file
        self.location = location
        self.redactsSource = redactsSource
    }
}

extension SpecDiagnostic: Comparable {
    /// Orders by file, then position, then severity and rule: the order a reader scans a file in.
    public static func < (lhs: SpecDiagnostic, rhs: SpecDiagnostic) -> Bool {
        if lhs.file != rhs.file { return lhs.file < rhs.file }
        let left = lhs.location ?? SourceLocation(line: 0, column: 0)
        let right = rhs.location ?? SourceLocation(line: 0, column: 0)
        if left != right { return left < right }
        if lhs.severity != rhs.severity { return lhs.severity < rhs.severity }
        if lhs.rule != rhs.rule { return lhs.rule < rhs.rule }
        return lhs.message < rhs.message
    }
}
