/// Recognises values that are probably secrets, so that a fleet file committed to git cannot
/// carry one by accident.
enum SecretHeuristics {
    /// Words that mark a variable name as holding a secret.
    static let secretNameWords = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PRIVATE_KEY", "API_KEY", "APIKEY", "CREDENTIAL", "ACCESS_KEY"]
    /// Prefixes of well-known credential formats.
    static let secretValuePrefixes = [
        "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-", "xoxp-", "sk_live_", "sk-", "AKIA", "-----BEGIN",
    ]

    /// True when `name=value` looks like a secret: a secret-sounding name with a non-empty value,
    /// or a value in a well-known credential format.
    static func looksSecret(name: String, value: String) -> Bool {
        guard !value.isEmpty else { return false }
        let upper = name.uppercased()
        if self.secretNameWords.contains(where: upper.contains) { return true }
        return self.secretValuePrefixes.contains { value.hasPrefix($0) && value.count >= 16 }
    }
}
