/// Deterministic names for every cloud object, derived from (prefix, environment, role or pool,
/// slot, generation). A retried or resumed create therefore finds its own object by name instead
/// of leaking a twin.
public enum ResourceNaming {
    /// The number of hex characters of the generation hash used in names.
    public static let generationLength = 8
    /// The longest GCE instance name (and DNS label).
    public static let maximumNameLength = 63
    /// The pool name reserved for control planes.
    public static let controlPlanePool = "cp"

    /// `{prefix}-{env}-cp-{generation}`.
    public static func controlPlaneVM(prefix: String, environment: String, generation: String) -> String {
        "\(prefix)-\(environment)-\(controlPlanePool)-\(generation)"
    }

    /// `{prefix}-{env}-{pool}-{slot}-{generation}`.
    public static func agentVM(prefix: String, environment: String, pool: String, slot: Int, generation: String) -> String {
        "\(prefix)-\(environment)-\(pool)-\(slot)-\(generation)"
    }

    /// `{vm}-{label}`: the first label of an exposed port's hostname.
    public static func exposedLabel(vm: String, label: String) -> String {
        "\(vm)-\(label)"
    }

    /// The generation a resource name ends with (its last `-`-separated part, when that is
    /// ``generationLength`` lowercase hex digits); nil for a name without one.
    public static func generation(of name: some StringProtocol) -> String? {
        guard let last = name.split(separator: "-").last, last.count == generationLength,
            last.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        return String(last)
    }

    /// The length of the longest agent VM name a pool will produce.
    static func longestAgentName(prefix: String, environment: String, pool: String, count: Int) -> Int {
        let slotDigits = String(max(count - 1, 0)).count
        return prefix.count + environment.count + pool.count + slotDigits + generationLength + 4
    }
}
