/// RFC 1123 host names, lowercase.
public enum DNSName {
    /// True when `name` is a lowercase host name: dot-separated labels of 1 to 63 letters, digits
    /// and '-', not starting or ending with '-', at most 253 characters in all.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(self.isValidLabel)
    }

    /// True when `label` is one valid DNS label.
    public static func isValidLabel(_ label: Substring) -> Bool {
        let bytes = label.utf8
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63 else { return false }
        guard first != 45, last != 45 else { return false }
        return bytes.allSatisfy { ASCII.isLower($0) || ASCII.isDigit($0) || $0 == 45 }
    }
}
