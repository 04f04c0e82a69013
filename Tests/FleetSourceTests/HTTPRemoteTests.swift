import FleetSource
import Foundation
import Reconciler
import Testing

/// The adapter over smart HTTP, served by `git http-backend` behind ``GitHTTPServer``.
@Suite struct HTTPRemoteTests {
    static let token = "ghs_TestTokenThatMustNeverLeak0123456789"

    /// A fixture with one pushed commit, and a server for its origin.
    private static func serve(token: String? = nil, refusal: String = "401 Unauthorized") throws -> (GitFixture, GitHTTPServer, Revision) {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "version: 1\n"])
        let head = try fixture.push()
        let server = try GitHTTPServer(.git(projectRoot: fixture.root + "/repos", token: token, refusal: refusal))
        return (fixture, server, head)
    }

    private static func url(_ server: GitHTTPServer) -> String {
        "http://127.0.0.1:\(server.port)/origin.git"
    }

    @Test func withoutATokenHeadAndFetchFollowNewCommits() async throws {
        let (fixture, server, first) = try Self.serve()
        defer { server.stop() }
        let source = try fixture.source(url: Self.url(server))
        #expect(try await source.remoteHead() == first)
        #expect(try await source.fetch() == first)

        try fixture.commit("second", files: ["fleet.yaml": "version: 2\n", "envs/a.yaml": "x\n"])
        let second = try fixture.push()
        #expect(try await source.remoteHead() == second)
        #expect(try await source.fetch() == second)
        #expect(try await source.isAncestor(first, of: second))
        #expect(try await source.file("envs/a.yaml", at: second) == Array("x\n".utf8))
        // Incremental: the second negotiation told the server the first commit is already here.
        let negotiation = try #require(server.requests.last { $0.method == "POST" && $0.target == "/origin.git/git-upload-pack" })
        #expect(String(decoding: negotiation.body, as: UTF8.self).contains("have \(first.hex)"))
    }

    @Test func aRequiredTokenTravelsOnlyInTheAuthorizationHeader() async throws {
        let (fixture, server, head) = try Self.serve(token: Self.token)
        defer { server.stop() }
        let source = try fixture.source(url: Self.url(server), token: Self.token)
        #expect(try await source.remoteHead() == head)
        #expect(try await source.fetch() == head)

        let expected = "Basic " + Data("x-access-token:\(Self.token)".utf8).base64EncodedString()
        let requests = server.requests
        #expect(requests.count >= 3)
        #expect(requests.allSatisfy { request in request.headers.contains { $0.name.lowercased() == "authorization" && $0.value == expected } })
        #expect(requests.allSatisfy { !$0.target.contains(Self.token) && !$0.target.contains("x-access-token") })
    }

    @Test(arguments: [
        (nil, "401 Unauthorized"), ("wrong-\(HTTPRemoteTests.token)", "401 Unauthorized"), ("wrong-\(HTTPRemoteTests.token)", "403 Forbidden"),
    ])
    func aMissingOrWrongTokenIsAuthentication(given: String?, refusal: String) async throws {
        let (fixture, server, _) = try Self.serve(token: Self.token, refusal: refusal)
        defer { server.stop() }
        let source = try fixture.source(url: Self.url(server), token: given)
        for call in [{ try await source.remoteHead() }, { try await source.fetch() }] as [@Sendable () async throws -> Revision] {
            let error = try #require(await #expect(throws: GitSourceError.self) { _ = try await call() })
            #expect(error.code == .authentication)
            #expect(!error.description.contains(Self.token))
            #expect(!error.description.contains("x-access-token"))
            #expect(!"\(error)".contains(Self.token))
        }
        #expect(server.requests.allSatisfy { !$0.target.contains(Self.token) })
    }

    @Test func anUnknownBranchIsBranchNotFound() async throws {
        let (fixture, server, _) = try Self.serve()
        defer { server.stop() }
        let source = try fixture.source(url: Self.url(server), branch: "nope")
        let error = await #expect(throws: GitSourceError.self) { try await source.remoteHead() }
        #expect(error?.code == .branchNotFound)
    }

    @Test func aClosedPortIsUnreachable() async throws {
        let fixture = try GitFixture()
        let port = try GitHTTPServer.closedPort()
        let source = try fixture.source(url: "http://127.0.0.1:\(port)/origin.git", token: Self.token)
        for call in [{ try await source.remoteHead() }, { try await source.fetch() }] as [@Sendable () async throws -> Revision] {
            let error = try #require(await #expect(throws: GitSourceError.self) { _ = try await call() })
            #expect(error.code == .unreachable)
            #expect(!error.description.contains(Self.token))
        }
    }

    /// Real time, once: a server that accepts and never answers must not hang the call past its
    /// timeout (1.5 s here: each call takes about 1.5 s on an idle machine). The bound asserted
    /// only proves there is no hang, and leaves room for a 2-core machine saturated by a build
    /// (a call was seen to take 20 s then).
    @Test(.timeLimit(.minutes(1))) func aSilentServerTimesOut() async throws {
        let fixture = try GitFixture()
        let server = try GitHTTPServer(.silent)
        defer { server.stop() }
        let source = try fixture.source(url: "http://127.0.0.1:\(server.port)/origin.git", timeout: .milliseconds(1500))
        for call in [{ try await source.remoteHead() }, { try await source.fetch() }] as [@Sendable () async throws -> Revision] {
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: GitSourceError.self) { _ = try await call() }
            #expect(error?.code == .timeout)
            #expect(clock.now - started < .seconds(45))
        }
    }
}
