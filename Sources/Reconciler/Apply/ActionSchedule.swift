/// A plan's DAG as the ``Executor`` walks it: which actions are ready to start (in plan order),
/// which still wait for others to finish, and which were skipped because something they depend
/// on failed. Dependencies on actions outside the plan are ignored.
struct ActionSchedule {
    /// The plan's actions by id (the first, should an id repeat).
    private let actions: [String: PlanAction]
    /// Each action's position in the plan: ready actions start in this order.
    private let order: [String: Int]
    /// The actions that depend on each action.
    private let dependents: [String: [String]]
    /// What each action still waits for.
    private var waiting: [String: Set<String>]
    /// Actions that wait for nothing and have not started.
    private var ready: [String]
    /// Actions that will not run because something they depend on failed.
    private var skipped: Set<String> = []

    /// The schedule before anything ran: the actions that depend on nothing in `plan` are ready.
    init(_ plan: Plan) {
        let actions = Dictionary(plan.actions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var waiting: [String: Set<String>] = [:]
        var dependents: [String: [String]] = [:]
        for action in plan.actions {
            let dependencies = Set(action.dependsOn.filter { actions[$0] != nil })
            waiting[action.id] = dependencies
            for dependency in dependencies { dependents[dependency, default: []].append(action.id) }
        }
        self.actions = actions
        self.order = Dictionary(plan.actions.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.dependents = dependents
        self.waiting = waiting
        self.ready = plan.actions.filter { waiting[$0.id]?.isEmpty ?? true }.map(\.id)
    }

    /// The plan's action with this id.
    func action(_ id: String) -> PlanAction? {
        self.actions[id]
    }

    /// Takes the first ready action; nil when none is ready.
    mutating func nextReady() -> PlanAction? {
        while !self.ready.isEmpty {
            let id = self.ready.removeFirst()
            if let action = self.actions[id] { return action }
        }
        return nil
    }

    /// Records that `id` finished: each dependent not skipped that now waits for nothing
    /// becomes ready, in plan order among the rest.
    mutating func finished(_ id: String) {
        var unblocked: [String] = []
        for dependent in self.dependents[id] ?? [] where !self.skipped.contains(dependent) {
            self.waiting[dependent]?.remove(id)
            if self.waiting[dependent]?.isEmpty == true { unblocked.append(dependent) }
        }
        self.ready.append(contentsOf: unblocked)
        let order = self.order
        self.ready.sort { order[$0] ?? 0 < order[$1] ?? 0 }
    }

    /// Records that `id` failed: everything depending on it, directly or not, is skipped.
    /// Returns the actions newly skipped, in the order they were found.
    mutating func skipDependents(of id: String) -> [PlanAction] {
        var newlySkipped: [PlanAction] = []
        var queue = self.dependents[id] ?? []
        while let next = queue.popLast() {
            guard self.skipped.insert(next).inserted, let dependent = self.actions[next] else { continue }
            newlySkipped.append(dependent)
            queue.append(contentsOf: self.dependents[next] ?? [])
        }
        return newlySkipped
    }
}
