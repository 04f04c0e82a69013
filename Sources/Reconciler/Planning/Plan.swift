/// The planner's answer: a DAG of actions, the policy refusals and warnings, and digests of the
/// inputs so that a saved plan can be checked against the world before it is applied.
public struct Plan: Sendable, Hashable {
    /// Why a plan may not be applied.
    public struct Refusal: Sendable, Hashable {
        /// A refusal's stable code, as plans (text, JSON, Markdown) print it.
        public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
            /// `circuit-breaker`, `empty-desired-state`, `protected-control-plane` or `foreign-dns-record`.
            public let rawValue: String

            /// Wraps a stored code.
            public init(rawValue: String) { self.rawValue = rawValue }

            /// More deletions than `--max-delete-percent` allows.
            public static let circuitBreaker = Code(rawValue: "circuit-breaker")
            /// The spec wants nothing at all, so everything would be deleted.
            public static let emptyDesiredState = Code(rawValue: "empty-desired-state")
            /// A protected environment's control plane would be deleted without a replacement.
            public static let protectedControlPlane = Code(rawValue: "protected-control-plane")
            /// A DNS record the fleet does not own holds a name the spec wants.
            public static let foreignDNSRecord = Code(rawValue: "foreign-dns-record")

            public var description: String { self.rawValue }
        }

        /// Which rail refused.
        public var code: Code
        /// What is wrong and how to proceed.
        public var message: String

        /// Creates a refusal.
        public init(code: Code, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// An action the planner wanted but left out, because the observation could not justify it.
    public struct Withheld: Sendable, Hashable {
        /// The action's id.
        public var id: String
        /// Why: `unknown: SOURCE is partial (…)` for the creation of an object that a partial
        /// source may hold without having listed it; the partial sources or the observation's age
        /// for a deletion; `waits on ID` for an action that depends on another withheld one.
        public var reason: String

        /// Creates a withheld action.
        public init(id: String, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    /// The version of the plan's JSON form.
    public static let formatVersion = 1

    /// The fleet.
    public var fleet: String
    /// The environments in scope: the spec's in order (previews last), then those only observed
    /// (removed environments, closed previews), sorted.
    public var environments: [String]
    /// The actions, in a deterministic order: environment, dependency depth, resource kind, id.
    public var actions: [PlanAction]
    /// Reasons the plan must not be applied; empty when it may.
    public var refusals: [Refusal]
    /// Things the user should know (withheld actions, foreign objects left alone, …).
    public var warnings: [String]
    /// The actions the planner wanted but withheld (a partial or stale observation), sorted by
    /// id: deletions, creations of what a partial source did not list, and what waits on them.
    public var withheld: [Withheld]
    /// The ids of ``withheld``, sorted. The name predates withheld creations: it covers every
    /// withheld action.
    public var withheldDeletions: [String] { self.withheld.map(\.id) }
    /// The sources as observed.
    public var sources: [SourceStatus]
    /// How many owned resources were observed (VMs, tunnels, DNS records) in scope.
    public var ownedCount: Int

    /// Creates a plan.
    public init(
        fleet: String,
        environments: [String],
        actions: [PlanAction],
        refusals: [Refusal] = [],
        warnings: [String] = [],
        withheld: [Withheld] = [],
        sources: [SourceStatus] = [],
        ownedCount: Int = 0
    ) {
        self.fleet = fleet
        self.environments = environments
        self.actions = actions
        self.refusals = refusals
        self.warnings = warnings
        self.withheld = withheld
        self.sources = sources
        self.ownedCount = ownedCount
    }

    /// How many actions of each operation.
    public struct Summary: Sendable, Hashable {
        /// Creations.
        public var create = 0
        /// In-place updates.
        public var update = 0
        /// Deletions.
        public var delete = 0

        /// All zero.
        public init() {}

        /// `Plan: 3 to create, 1 to update, 0 to delete.`
        public var sentence: String { "Plan: \(self.create) to create, \(self.update) to update, \(self.delete) to delete." }
    }

    /// The counts.
    public var summary: Summary {
        var summary = Summary()
        for action in self.actions {
            switch action.operation {
            case .create: summary.create += 1
            case .update: summary.update += 1
            case .delete: summary.delete += 1
            }
        }
        return summary
    }

    /// True when there is nothing to do.
    public var isEmpty: Bool { self.actions.isEmpty }

    /// True when a policy refuses the plan.
    public var isRefused: Bool { !self.refusals.isEmpty }

    /// The action with that id.
    public func action(_ id: String) -> PlanAction? { self.actions.first { $0.id == id } }
}
