/// The fleet-spec pipeline: bytes → screened text → composed YAML → structural checks → decoded
/// spec → semantic checks and resolution. Every stage adds to one list of diagnostics, so a user
/// sees all problems at once.
public enum FleetSpecLoader {
    /// What loading produced.
    public struct Result: Sendable {
        /// The resolved fleet; nil when any error was found.
        public var fleet: ResolvedFleet?
        /// Every problem found, sorted by position.
        public var diagnostics: [SpecDiagnostic]

        /// Creates a result.
        public init(fleet: ResolvedFleet?, diagnostics: [SpecDiagnostic]) {
            self.fleet = fleet
            self.diagnostics = diagnostics
        }

        /// True when there is no error (warnings are allowed).
        public var isValid: Bool { self.fleet != nil }
    }

    /// Loads and validates the fleet file `file` from its bytes. `limits` bound the YAML, and
    /// `expansion` what the fleet may expand to.
    public static func load(
        _ bytes: [UInt8],
        file: String,
        limits: YAMLLimits = YAMLLimits(),
        expansion: ExpansionLimits = ExpansionLimits()
    ) -> Result {
        var diagnostics = DiagnosticCollector(file: file)
        guard let root = YAMLComposer.compose(bytes, limits: limits, diagnostics: &diagnostics) else {
            return Result(fleet: nil, diagnostics: diagnostics.sorted)
        }
        if let scalar = root.scalar, scalar.resolvedKind == .null {
            diagnostics.error(.emptyDocument, "the file holds no fleet", hint: "start from examples/fleet.yaml", at: root.location)
            return Result(fleet: nil, diagnostics: diagnostics.sorted)
        }
        SchemaChecker.check(root, against: FleetSchema.root, diagnostics: &diagnostics)
        guard root.mapping != nil else {
            return Result(fleet: nil, diagnostics: diagnostics.sorted)
        }
        let spec = FleetSpecDecoder.decode(root)
        let fleet = FleetResolver.resolve(spec, file: file, limits: expansion, diagnostics: &diagnostics)
        return Result(fleet: diagnostics.hasErrors ? nil : fleet, diagnostics: diagnostics.sorted)
    }
}
