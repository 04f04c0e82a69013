/// An environment's conditions, one per type, in ``ConditionType`` order.
public struct ConditionSet: Sendable, Hashable, Codable {
    /// The conditions, one per type.
    public private(set) var conditions: [Condition]

    /// Every condition `Unknown`, reason `Initialising`, at `now`.
    public init(now: Int64) {
        self.conditions = ConditionType.allCases.map {
            Condition(type: $0, status: .unknown, reason: "Initialising", message: "the control plane has not looked yet", lastTransitionTime: now)
        }
    }

    /// The condition of `type` (every type is present: the initialiser makes them all).
    public subscript(_ type: ConditionType) -> Condition {
        self.conditions.first { $0.type == type }
            ?? Condition(type: type, status: .unknown, reason: "Initialising", message: "not set", lastTransitionTime: 0)
    }

    /// Sets a condition; its transition time moves only when its status changes.
    public mutating func set(_ type: ConditionType, _ status: Condition.Status, reason: String, message: String, now: Int64) {
        guard let index = self.conditions.firstIndex(where: { $0.type == type }) else { return }
        let old = self.conditions[index]
        self.conditions[index] = Condition(
            type: type,
            status: status,
            reason: reason,
            message: message,
            lastTransitionTime: old.status == status ? old.lastTransitionTime : now
        )
    }

    /// Decodes the array `GET /status` carries.
    public init(from decoder: any Decoder) throws {
        self.conditions = try decoder.singleValueContainer().decode([Condition].self)
    }

    /// Encodes as a plain array of conditions.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.conditions)
    }

    /// True when the condition of `type` is `True`.
    public func isTrue(_ type: ConditionType) -> Bool { self[type].status == .true }
}
