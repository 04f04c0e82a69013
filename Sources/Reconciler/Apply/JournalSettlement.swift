/// What to do with intents an earlier run left pending, given a fresh observation: a create whose
/// object now exists, a delete whose object is gone, and any in-place update are finished; the
/// rest stay pending — their resources are in flight, never deleted, and the next plan resumes
/// them under the same idempotency key.
public enum JournalSettlement {
    /// The intents that can be closed, and the resource names still in flight.
    public static func settle(_ intents: [Intent], observed: ObservedState) -> (settled: [Intent], inFlight: Set<String>) {
        let present =
            Set(observed.vms.map(\.name)).union(observed.tunnels.map(\.name)).union(observed.dnsRecords.map { Normalization.dnsName($0.name) })
        var settled: [Intent] = []
        var inFlight: Set<String> = []
        for intent in intents {
            let exists = present.contains(intent.resource)
            if (intent.isCreate && exists) || (intent.isDelete && !exists) || (!intent.isCreate && !intent.isDelete) {
                settled.append(intent)
            } else if intent.isCreate {
                inFlight.insert(intent.resource)
            }
        }
        return (settled, inFlight)
    }
}
