/// An OpenSSH pattern list (`ssh_config(5)`, PATTERNS): comma-separated patterns where `*`
/// matches any run of characters, `?` exactly one, and a leading `!` negates. A name matches
/// the list when some positive pattern matches it and no negated pattern does, as OpenSSH's
/// `match_pattern_list` decides. Matching is case-sensitive and by Unicode character.
public struct PatternList: Hashable, Sendable, CustomStringConvertible {
    /// The patterns, as written (a negated one keeps its `!`).
    public let patterns: [String]

    /// Splits `text` at commas; nil when a pattern is empty (`a,,b`, a trailing comma, or `!`).
    public init?(_ text: some StringProtocol) {
        let patterns = String(text).split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !patterns.isEmpty, patterns.allSatisfy({ !$0.isEmpty && $0 != "!" }) else { return nil }
        self.patterns = patterns
    }

    /// True when some positive pattern matches `name` and no negated pattern does.
    public func matches(_ name: String) -> Bool {
        var matchedPositive = false
        for pattern in self.patterns {
            if pattern.hasPrefix("!") {
                if Self.match(Array(name), Array(pattern.dropFirst())) { return false }
            } else if Self.match(Array(name), Array(pattern)) {
                matchedPositive = true
            }
        }
        return matchedPositive
    }

    public var description: String { self.patterns.joined(separator: ",") }

    /// Wildcard matching with backtracking to the last `*` (linear in practice, never recursive).
    private static func match(_ name: [Character], _ pattern: [Character]) -> Bool {
        var n = 0
        var p = 0
        var star: (pattern: Int, name: Int)? = nil
        while n < name.count {
            if p < pattern.count, pattern[p] == "*" {
                star = (p, n)
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == name[n] {
                n += 1
                p += 1
            } else if let last = star {
                star = (last.pattern, last.name + 1)
                p = last.pattern + 1
                n = last.name + 1
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
