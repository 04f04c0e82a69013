/// The order of a plan's actions.
extension PlanBuilder {
    /// Environment order, then dependency depth, then resource kind, then id. Sorts indices on
    /// precomputed keys: actions are large values, and a fleet of 10,000 VMs has ~40,000.
    func ordered() -> [PlanAction] {
        var depth: [String: Int] = [:]
        depth.reserveCapacity(self.actions.count)
        func depthOf(_ id: String, _ visiting: inout Set<String>) -> Int {
            if let known = depth[id] { return known }
            guard let action = self.actions[id], visiting.insert(id).inserted else { return 0 }
            let value = action.dependsOn.map { depthOf($0, &visiting) + 1 }.max() ?? 0
            depth[id] = value
            return value
        }
        var visiting: Set<String> = []
        let environmentIndex = Dictionary(self.environmentOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let kindIndex = Dictionary(PlanAction.Resource.allCases.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var list: [PlanAction] = []
        list.reserveCapacity(self.actions.count)
        var keys: [(environment: Int, depth: Int, kind: Int)] = []
        keys.reserveCapacity(self.actions.count)
        for (id, action) in self.actions {
            var action = action
            if action.dependsOn.count > 1 || action.dependsOn.contains(where: { self.actions[$0] == nil }) {
                action.dependsOn = Array(Set(action.dependsOn.filter { self.actions[$0] != nil })).sorted()
            }
            keys.append((environmentIndex[action.environment] ?? Int.max, depthOf(id, &visiting), kindIndex[action.resource] ?? 0))
            list.append(action)
        }
        let order = list.indices.sorted { a, b in
            let ka = keys[a]
            let kb = keys[b]
            if ka.environment != kb.environment { return ka.environment < kb.environment }
            if ka.depth != kb.depth { return ka.depth < kb.depth }
            if ka.kind != kb.kind { return ka.kind < kb.kind }
            return list[a].id < list[b].id
        }
        return order.map { list[$0] }
    }
}
