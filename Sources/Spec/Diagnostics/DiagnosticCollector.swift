/// Collects every diagnostic of one file, so that validation reports all problems at once.
/// Identical diagnostics (the same rule, place and message, as aliases produce) are kept once.
public struct DiagnosticCollector: Sendable {
    /// The file the diagnostics belong to.
    public let file: String
    private var seen: Set<SpecDiagnostic> = []
    /// The diagnostics in the order they were reported.
    public private(set) var diagnostics: [SpecDiagnostic] = []

    /// Creates an empty collector for `file`.
    public init(file: String) {
        self.file = file
    }

    /// True when any error (not only warnings) was reported.
    public var hasErrors: Bool { self.diagnostics.contains { $0.severity == .error } }

    /// Reports an error.
    public mutating func error(
        _ rule: DiagnosticRule,
        _ message: String,
        hint: String? = nil,
        at location: SourceLocation?,
        redactsSource: Bool = false
    ) {
        self.add(
            SpecDiagnostic(
                .error,
                rule,
                message,
                hint: hint,
                file: self.file,
                at: location,
                redactsSource: redactsSource
            )
        )
    }

    /// Reports a warning.
    public mutating func warning(_ rule: DiagnosticRule, _ message: String, hint: String? = nil, at location: SourceLocation?) {
        self.add(SpecDiagnostic(.warning, rule, message, hint: hint, file: self.file, at: location))
    }

    /// Adds a diagnostic made elsewhere.
    public mutating func add(_ diagnostic: SpecDiagnostic) {
        if self.seen.insert(diagnostic).inserted {
            self.diagnostics.append(diagnostic)
        }
    }

    /// The diagnostics sorted by position.
    public var sorted: [SpecDiagnostic] { self.diagnostics.sorted() }
}
