import SourceVerification
import Testing

@Suite("OpenSSH pattern lists")
struct PatternListTests {
    @Test(
        "matching as OpenSSH's match_pattern_list",
        arguments: [
            ("alice@example.com", "alice@example.com", true),
            ("*@example.com", "alice@example.com", true),
            ("*@example.com", "alice@example.org", false),
            ("al?ce@example.com", "alice@example.com", true),
            ("al?ce@example.com", "allice@example.com", false),
            ("bob@x,alice@x", "alice@x", true),
            ("*@x,!mallory@x", "mallory@x", false),
            ("!mallory@x,*@x", "alice@x", true),
            ("!mallory@x", "alice@x", false),
            ("*", "", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("*a", "aaa", true),
            ("git", "Git", false),
        ]
    )
    func matching(patterns: String, name: String, expected: Bool) throws {
        let list = try #require(PatternList(patterns))
        #expect(list.matches(name) == expected)
    }

    @Test("empty patterns are refused", arguments: ["", ",", "a,", ",a", "a,,b", "!", "a,!"])
    func empty(text: String) {
        #expect(PatternList(text) == nil)
    }
}
