/// "Did you mean …?" suggestions by edit distance.
public enum Suggestion {
    /// The candidate closest to `word`, when it is close enough to be a likely typo: equal once
    /// case, '-' and '_' are ignored, or within an edit distance of a third of its length.
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let normalizedWord = self.normalize(word)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            if self.normalize(candidate) == normalizedWord { return candidate }
            let distance = self.editDistance(Array(word.lowercased().utf8), Array(candidate.lowercased().utf8))
            if distance <= max(1, candidate.count / 3), distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// ` (did you mean 'x'?)` or nothing.
    static func phrase(for word: String, among candidates: some Sequence<String>) -> String {
        guard let match = self.closest(to: word, among: candidates) else { return "" }
        return "; did you mean '\(match)'?"
    }

    private static func normalize(_ word: String) -> String {
        String(word.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func editDistance(_ left: [UInt8], _ right: [UInt8]) -> Int {
        if left.isEmpty { return right.count }
        if right.isEmpty { return left.count }
        var previousPrevious = [Int](repeating: 0, count: right.count + 1)
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for i in 1...left.count {
            current[0] = i
            for j in 1...right.count {
                let cost = left[i - 1] == right[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, left[i - 1] == right[j - 2], left[i - 2] == right[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[right.count]
    }
}
