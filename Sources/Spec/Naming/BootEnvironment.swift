/// The `DD_*` variables of the devopsdefender boot workload: what the expander renders into a
/// VM's `ee-config` and what the agent reads back at boot (from its environment or from the
/// metadata server).
///
/// Entries keep their order, so rendering is deterministic (it feeds the generation hash) and a
/// parse of a rendering gives it back. A later entry for the same key wins on reads.
public struct BootEnvironment: Hashable, Sendable {
    /// One `KEY=value` entry.
    public struct Entry: Hashable, Sendable {
        /// The variable's name.
        public var key: Key
        /// Its value (may be empty, may contain `=`).
        public var value: String
    }

    /// The entries, in order.
    public private(set) var entries: [Entry]

    /// The entries given, in order.
    public init(_ entries: KeyValuePairs<Key, String> = [:]) {
        self.entries = entries.map { Entry(key: $0.key, value: $0.value) }
    }

    /// Parses `KEY=value` strings (an `ee-config` workload's `env`); one without `=` is skipped.
    public init(parsing assignments: [String]) {
        self.entries = assignments.compactMap { assignment in
            guard let equals = assignment.firstIndex(of: "=") else { return nil }
            let value = String(assignment[assignment.index(after: equals)...])
            return Entry(key: Key(rawValue: String(assignment[..<equals])), value: value)
        }
    }

    /// The `DD_*` variables of a process environment, by name.
    public init(variables: [String: String]) {
        self.entries = variables.keys.filter { $0.hasPrefix(Key.prefix) }.sorted().map { name in
            Entry(key: Key(rawValue: name), value: variables[name] ?? "")
        }
    }

    /// The last value given for `key`.
    public subscript(key: Key) -> String? {
        self.entries.last { $0.key == key }?.value
    }

    /// Appends an entry.
    public mutating func append(_ key: Key, _ value: String) {
        self.entries.append(Entry(key: key, value: value))
    }

    /// Appends every entry of `other`.
    public static func += (lhs: inout BootEnvironment, rhs: BootEnvironment) {
        lhs.entries += rhs.entries
    }

    /// `KEY=value` strings, in order: a workload's `env`.
    public var rendered: [String] {
        self.entries.map { "\($0.key.rawValue)=\($0.value)" }
    }
}
