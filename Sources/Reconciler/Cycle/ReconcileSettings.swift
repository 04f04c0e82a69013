import Spec

/// What a plan is made with — which previews are open and the safety knobs — from flags, or from
/// a saved plan's inputs. `Codable`, so a saved plan carries exactly the settings it was made
/// with, and re-planning (after a slow approval, or at apply time) uses them again.
public struct ReconcileSettings: Sendable, Hashable, Codable {
    /// The open previews, ascending.
    public var previews: [Int]
    /// Whether previews are managed.
    public var previewScope: PlannerOptions.PreviewScope
    /// The environments the plan reconciles: all of them for `plan` and `apply`, its own for a
    /// control plane. A saved plan keeps it, so it is applied with the scope it was made with.
    public var environmentScope: EnvironmentScope
    /// Rollout surge.
    public var maxSurge: Int
    /// Circuit-breaker limit, in percent of the owned objects.
    public var maxDeletePercent: Int
    /// Destroy protection off.
    public var allowDestroy: Bool
    /// An observation older than this (seconds) is stale: it deletes nothing, and an approval
    /// that took longer re-observes before anything is changed.
    public var maximumSnapshotAge: Int64

    /// Creates settings; the defaults are the safe choices.
    public init(
        previews: [Int] = [],
        previewScope: PlannerOptions.PreviewScope = .untouched,
        environmentScope: EnvironmentScope = .all,
        maxSurge: Int = 1,
        maxDeletePercent: Int = 30,
        allowDestroy: Bool = false,
        maximumSnapshotAge: Int64 = PlannerOptions().maximumSnapshotAge
    ) {
        self.previews = previews
        self.previewScope = previewScope
        self.environmentScope = environmentScope
        self.maxSurge = maxSurge
        self.maxDeletePercent = maxDeletePercent
        self.allowDestroy = allowDestroy
        self.maximumSnapshotAge = maximumSnapshotAge
    }

    enum CodingKeys: String, CodingKey {
        case previews, previewScope, environmentScope, maxSurge, maxDeletePercent, allowDestroy, maximumSnapshotAge
    }

    /// Decodes settings; keys a plan saved by an earlier version lacks take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ReconcileSettings()
        self.previews = try container.decodeIfPresent([Int].self, forKey: .previews) ?? defaults.previews
        self.previewScope = try container.decodeIfPresent(PlannerOptions.PreviewScope.self, forKey: .previewScope) ?? defaults.previewScope
        self.environmentScope = try container.decodeIfPresent(EnvironmentScope.self, forKey: .environmentScope) ?? defaults.environmentScope
        self.maxSurge = try container.decodeIfPresent(Int.self, forKey: .maxSurge) ?? defaults.maxSurge
        self.maxDeletePercent = try container.decodeIfPresent(Int.self, forKey: .maxDeletePercent) ?? defaults.maxDeletePercent
        self.allowDestroy = try container.decodeIfPresent(Bool.self, forKey: .allowDestroy) ?? defaults.allowDestroy
        self.maximumSnapshotAge = try container.decodeIfPresent(Int64.self, forKey: .maximumSnapshotAge) ?? defaults.maximumSnapshotAge
    }

    /// The planner's options at `now`, never deleting what `inFlight` names.
    public func plannerOptions(now: Int64, inFlight: Set<String> = []) -> PlannerOptions {
        var options = PlannerOptions()
        options.maxSurge = self.maxSurge
        options.maxDeleteFraction = Double(self.maxDeletePercent) / 100
        options.allowDestroy = self.allowDestroy
        options.previewScope = self.previewScope
        options.environmentScope = self.environmentScope
        options.maximumSnapshotAge = self.maximumSnapshotAge
        options.now = now
        options.inFlight = inFlight
        return options
    }
}

extension PlannerOptions.PreviewScope: Codable {
    /// `"exact"` or `"untouched"`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch text {
        case "exact": self = .exact
        case "untouched": self = .untouched
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "previewScope '\(text)' is neither 'exact' nor 'untouched'")
            )
        }
    }

    /// `"exact"` or `"untouched"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self == .exact ? "exact" : "untouched")
    }
}

extension EnvironmentScope: Codable {
    private enum CodingKeys: String, CodingKey {
        case environments, previews
    }

    /// `"all"`, or `{"environments": ["staging"], "previews": false}`.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard text == "all" else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "environmentScope '\(text)' is neither 'all' nor an object")
                )
            }
            self = .all
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = .only(
            Set(try container.decode([String].self, forKey: .environments)),
            previews: try container.decode(Bool.self, forKey: .previews)
        )
    }

    /// `"all"`, or `{"environments": [sorted names], "previews": bool}`.
    public func encode(to encoder: any Encoder) throws {
        guard case .only(let environments, let previews) = self else {
            var container = encoder.singleValueContainer()
            try container.encode("all")
            return
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(environments.sorted(), forKey: .environments)
        try container.encode(previews, forKey: .previews)
    }

    /// The same value as ``encode(to:)`` writes, for the plan document's `inputs`.
    var structured: StructuredValue {
        guard case .only(let environments, let previews) = self else { return .string("all") }
        return .object([("environments", .array(environments.sorted().map(StructuredValue.string))), ("previews", .boolean(previews))])
    }
}
