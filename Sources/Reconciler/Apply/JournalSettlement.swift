/// What to do with intents an interrupted apply left pending, given a fresh and complete
/// observation: a create whose object now exists and a delete whose object is gone are
/// finished, as is any in-place update (the next plan decides again). The rest stay pending, and the next plan that
/// needs them resumes them under the same idempotency key.
public enum JournalSettlement {
    /// The intents that can be closed.
    public static func settle(_ intents: [Intent], observed: ObservedState) -> [Intent] {
        // A partial list cannot prove an object gone (or present): settle nothing.
        guard observed.isComplete else { return [] }
        let vms = Set(observed.vms.map(\.name))
        let tunnels = Set(observed.tunnels.map(\.name))
        let records = Set(observed.dnsRecords.map { Normalization.dnsName($0.name) })
        return intents.filter { intent in
            let action = intent.action
            guard action.operation != .update else { return true }
            let exists: Bool
            switch action.resource {
            case .vm: exists = vms.contains(action.name)
            case .tunnel: exists = tunnels.contains(action.name)
            case .dns: exists = records.contains(Normalization.dnsName(action.name))
            case .ingress: return true
            }
            return action.operation == .create ? exists : !exists
        }
    }

    /// The resources an apply that is running right now has started on: a concurrent plan
    /// never deletes them.
    public static func inFlight(_ intents: [Intent]) -> Set<String> {
        Set(intents.filter { $0.state == .pending }.map(\.resource))
    }
}
