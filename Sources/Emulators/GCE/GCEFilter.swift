import Foundation

/// The subset of the Compute list filter syntax the fleet uses: AIP-160 comparisons joined by
/// AND or parentheses (`labels.dd-fleet = prod AND status = RUNNING`, `labels.owner:*`), or the
/// regex style (`name eq 'dd-.*'`). Styles may not be mixed.
struct GCEFilter: Sendable {
    struct Term: Sendable {
        var field: String
        var op: String
        var value: String
    }

    var terms: [Term]

    /// Parses `text`, or returns a message saying what is wrong.
    static func parse(_ text: String) -> Result<GCEFilter, FilterError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return .success(GCEFilter(terms: [])) }
        var parts: [String] = []
        var normalised = trimmed.replacingOccurrences(of: ") (", with: " AND ")
        if normalised.hasPrefix("(") && normalised.hasSuffix(")") { normalised = String(normalised.dropFirst().dropLast()) }
        parts = normalised.components(separatedBy: " AND ").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " ()")) }
        var terms: [Term] = []
        var styles: Set<String> = []
        for part in parts {
            if let range = part.range(of: " eq ") ?? part.range(of: " ne ") {
                styles.insert("regex")
                let op = part[range].trimmingCharacters(in: .whitespaces)
                let value = part[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
                terms.append(Term(field: part[..<range.lowerBound].trimmingCharacters(in: .whitespaces), op: op, value: value))
                continue
            }
            styles.insert("aip")
            var matched = false
            for op in ["!=", ">=", "<=", "=", ">", "<", ":"] {
                if let range = part.range(of: op) {
                    let value = part[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
                    terms.append(Term(field: part[..<range.lowerBound].trimmingCharacters(in: .whitespaces), op: op, value: value))
                    matched = true
                    break
                }
            }
            if !matched { return .failure(FilterError(message: "Invalid value for field 'filter': '\(text)'. Invalid list filter expression.")) }
        }
        if styles.count > 1 {
            return .failure(FilterError(message: "Invalid value for field 'filter': '\(text)'. The two filter styles cannot be mixed."))
        }
        return .success(GCEFilter(terms: terms))
    }

    struct FilterError: Error {
        var message: String
    }

    func matches(_ fields: (String) -> String?) -> Bool {
        self.terms.allSatisfy { term in
            let actual = fields(term.field)
            switch term.op {
            case "=": return actual == term.value
            case "!=": return actual != term.value
            case ":": return term.value == "*" ? actual != nil : (actual ?? "").contains(term.value)
            case "eq", "ne":
                let full = (actual ?? "").range(of: "^(?:\(term.value))$", options: .regularExpression) != nil
                return term.op == "eq" ? full : !full
            case ">": return (actual ?? "") > term.value
            case "<": return (actual ?? "") < term.value
            case ">=": return (actual ?? "") >= term.value
            case "<=": return (actual ?? "") <= term.value
            default: return false
            }
        }
    }
}
