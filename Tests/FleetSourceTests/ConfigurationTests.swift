import FleetSource
import Reconciler
import Testing

/// What the adapter refuses before touching the network, and what it never prints.
@Suite struct ConfigurationTests {
    static let token = "ghp_SecretTokenValue0123456789"

    @Test(arguments: [
        "ssh://git@github.com/org/fleet.git",
        "git@github.com:org/fleet.git",
        "https://x-access-token:\(ConfigurationTests.token)@github.com/org/fleet.git",
        "http://github.com/org/fleet.git",
        "https://github.com",
        "relative/path.git",
        "file://relative/path.git",
        "https://github.com/org/fleet .git",
        "",
    ])
    func unusableURLsAreInvalidConfiguration(url: String) throws {
        let error = try #require(
            #expect(throws: GitSourceError.self) {
                try GitSourceLibGit2(configuration: .init(url: url, cacheDirectory: "/tmp/fleet-cache"))
            }
        )
        #expect(error.code == .invalidConfiguration)
        #expect(!error.message.contains(Self.token))
    }

    @Test func otherUnusableSettingsAreInvalidConfiguration() throws {
        let url = "https://github.com/org/fleet.git"
        let configurations: [GitSourceLibGit2.Configuration] = [
            .init(url: url, cacheDirectory: "relative/cache"),
            .init(url: url, cacheDirectory: "/tmp/c", branch: "bad..name"),
            .init(url: url, cacheDirectory: "/tmp/c", branch: "-x"),
            .init(url: url, cacheDirectory: "/tmp/c", fetchTimeout: .zero),
            .init(url: url, cacheDirectory: "/tmp/c", caFile: "/no/such/ca.pem"),
            .init(url: "/srv/fleet.git", cacheDirectory: "/tmp/c", token: AccessToken(Self.token)),
        ]
        for configuration in configurations {
            let error = try #require(#expect(throws: GitSourceError.self) { try GitSourceLibGit2(configuration: configuration) })
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test func acceptedURLs() throws {
        for url in [
            "https://github.com/org/fleet.git", "http://127.0.0.1:8080/fleet.git", "http://localhost/x.git", "file:///srv/fleet.git",
            "/srv/fleet.git",
        ] {
            _ = try GitSourceLibGit2(configuration: .init(url: url, cacheDirectory: "/tmp/fleet-cache"))
        }
    }

    @Test func theTokenNeverPrints() {
        let configuration = GitSourceLibGit2.Configuration(
            url: "https://github.com/org/fleet.git",
            cacheDirectory: "/tmp/c",
            token: AccessToken(Self.token)
        )
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(describing: configuration.token), String(reflecting: configuration), dumped] {
            #expect(!text.contains(Self.token), "\(text)")
        }
    }
}
