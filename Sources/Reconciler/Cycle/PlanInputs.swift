import Spec

/// What a plan was made from: the spec file and its digest, the observation's digest and the
/// settings. A saved plan (`plan --out`) carries them as its `inputs` object; at apply time a
/// fresh cycle refuses the plan when any of them changed.
public struct PlanInputs: Sendable, Hashable, Codable {
    /// The fleet file, as given.
    public var file: String
    /// SHA-256 over the file's bytes and the open previews.
    public var specDigest: String
    /// ``ObservedState/digest`` of the observation the plan was made from.
    public var observedDigest: String
    /// The settings the plan was made with.
    public var settings: ReconcileSettings

    /// Creates inputs.
    public init(file: String, specDigest: String, observedDigest: String, settings: ReconcileSettings) {
        self.file = file
        self.specDigest = specDigest
        self.observedDigest = observedDigest
        self.settings = settings
    }

    enum CodingKeys: String, CodingKey {
        case file, specDigest, observedDigest
    }

    /// Decodes the flat `inputs` object: the three digests and the settings' keys side by side.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.file = try container.decode(String.self, forKey: .file)
        self.specDigest = try container.decode(String.self, forKey: .specDigest)
        self.observedDigest = try container.decode(String.self, forKey: .observedDigest)
        self.settings = try ReconcileSettings(from: decoder)
    }

    /// Encodes the flat `inputs` object.
    public func encode(to encoder: any Encoder) throws {
        try self.settings.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.file, forKey: .file)
        try container.encode(self.specDigest, forKey: .specDigest)
        try container.encode(self.observedDigest, forKey: .observedDigest)
    }

    /// The same object as a structured value, keys in a fixed order, for the plan document.
    public var structured: StructuredValue {
        .object([
            ("file", .string(self.file)),
            ("specDigest", .string(self.specDigest)),
            ("observedDigest", .string(self.observedDigest)),
            ("previews", .array(self.settings.previews.map(StructuredValue.integer))),
            ("previewScope", .string(self.settings.previewScope == .exact ? "exact" : "untouched")),
            ("environmentScope", self.settings.environmentScope.structured),
            ("maxSurge", .integer(self.settings.maxSurge)),
            ("maxDeletePercent", .integer(self.settings.maxDeletePercent)),
            ("allowDestroy", .boolean(self.settings.allowDestroy)),
            ("maximumSnapshotAge", .integer(Int(self.settings.maximumSnapshotAge))),
        ])
    }

    /// Why a fresh cycle's `current` inputs and `plan` differ from these and `savedActions`
    /// (empty when they agree). Of the settings only the environment scope is compared: the
    /// others are the saved plan's own, which the apply re-plans with, but a plan made for one
    /// scope must never be applied by a writer of another (a staging plan by production's
    /// control plane), even when the actions happen to agree.
    public func staleness(current: PlanInputs, plan: Plan, savedActions: [String]) -> [String] {
        var stale: [String] = []
        if self.settings.environmentScope != current.settings.environmentScope {
            stale.append("it was made for \(self.settings.environmentScope), not \(current.settings.environmentScope)")
        }
        if self.specDigest != current.specDigest { stale.append("the spec \(self.file) changed") }
        if self.observedDigest != current.observedDigest { stale.append("the observed state of the clouds changed") }
        if savedActions != plan.actions.map(\.id) { stale.append("the actions it would take differ") }
        return stale
    }
}
