import FleetSource
import Foundation
import Reconciler
import Testing

/// The adapter against a bare repository on this machine, named by its path and by a file:// URL.
@Suite struct LocalRemoteTests {
    /// How the test names the remote.
    enum Form: String, CaseIterable, Sendable {
        case path, fileURL

        func url(_ fixture: GitFixture) -> String {
            self == .path ? fixture.origin : "file://" + fixture.origin
        }
    }

    @Test(arguments: Form.allCases)
    func remoteHeadAndFetchFollowNewCommits(form: Form) async throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "version: 1\n"])
        let first = try fixture.push()
        let source = try fixture.source(url: form.url(fixture))

        #expect(try await source.remoteHead() == first)
        #expect(try await source.fetch() == first)

        try fixture.commit("second", files: ["fleet.yaml": "version: 2\n"])
        let second = try fixture.push()
        #expect(try await source.remoteHead() == second)
        #expect(try await source.fetch() == second)
        // Incremental: the local copy still holds the first commit, as the second's parent.
        #expect(try await source.isAncestor(first, of: second))
        #expect(try await source.file("fleet.yaml", at: first) == Array("version: 1\n".utf8))
    }

    @Test(arguments: Form.allCases)
    func fileAtACommit(form: Form) async throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "a: 1\n", "envs/prod/spec.yaml": "replicas: 3\n"])
        let head = try fixture.push()
        let source = try fixture.source(url: form.url(fixture))
        _ = try await source.fetch()

        #expect(try await source.file("fleet.yaml", at: head) == Array("a: 1\n".utf8))
        #expect(try await source.file("envs/prod/spec.yaml", at: head) == Array("replicas: 3\n".utf8))
        #expect(try await source.file("missing.yaml", at: head) == nil)
        #expect(try await source.file("envs/prod", at: head) == nil)
        #expect(try await source.file("envs/../fleet.yaml", at: head) == nil)
        #expect(try await source.file("/fleet.yaml", at: head) == nil)
    }

    @Test(arguments: Form.allCases)
    func ancestryAcrossFastForwardAndForcePush(form: Form) async throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "1\n"])
        let first = try fixture.push()
        try fixture.commit("second", files: ["fleet.yaml": "2\n"])
        let second = try fixture.push()
        let source = try fixture.source(url: form.url(fixture))
        #expect(try await source.fetch() == second)
        #expect(try await source.isAncestor(first, of: second))
        #expect(try await source.isAncestor(second, of: second))
        #expect(try await !source.isAncestor(second, of: first))

        _ = try fixture.startUnrelatedHistory()
        let rewritten = try fixture.push(force: true)
        #expect(try await source.remoteHead() == rewritten)
        #expect(try await source.fetch() == rewritten)
        #expect(try await !source.isAncestor(second, of: rewritten))
        #expect(try await !source.isAncestor(first, of: rewritten))
    }

    @Test(arguments: Form.allCases)
    func commitsMatchRevList(form: Form) async throws {
        let fixture = try GitFixture()
        let base = try fixture.commit("base", files: ["fleet.yaml": "0\n"])
        for index in 1...4 { try fixture.commit("change \(index)", files: ["fleet.yaml": "\(index)\n"]) }
        let head = try fixture.push()
        let source = try fixture.source(url: form.url(fixture))
        _ = try await source.fetch()

        let range = try await source.commits(from: base, to: head)
        #expect(range.map(\.revision) == (try fixture.revList("\(base.hex)..\(head.hex)")))
        #expect(range.count == 4)
        #expect(range.allSatisfy { $0.signature == nil && $0.signedPayload.isEmpty })
        let all = try await source.commits(from: nil, to: head)
        #expect(all.map(\.revision) == (try fixture.revList(head.hex)))
        #expect(try await source.commits(from: head, to: head).isEmpty)
    }

    @Test func commitTimeMatchesGitLog() async throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "1\n"])
        let head = try fixture.push()
        let source = try fixture.source()
        _ = try await source.fetch()
        let expected = try #require(
            Int64(try fixture.git(["-C", fixture.work, "log", "-1", "--format=%ct", head.hex]).trimmingCharacters(in: .whitespacesAndNewlines))
        )
        #expect(try await source.commitTime(of: head) == expected)
        let missing = try #require(Revision(String(repeating: "ab", count: 20)))
        await #expect(throws: GitSourceError.self) { try await source.commitTime(of: missing) }
    }

    @Test func unknownBranchIsBranchNotFound() async throws {
        let fixture = try GitFixture()
        try fixture.commit("first", files: ["fleet.yaml": "1\n"])
        try fixture.push()
        let source = try fixture.source(branch: "release")
        await #expect(
            throws: GitSourceError(.branchNotFound, "the remote \(fixture.origin) has no branch 'release'; push it or fix the configured branch")
        ) {
            try await source.remoteHead()
        }
        let error = await #expect(throws: GitSourceError.self) { try await source.fetch() }
        #expect(error?.code == .branchNotFound)
    }

    @Test func revisionsNotFetchedAreObjectMissing() async throws {
        let fixture = try GitFixture()
        let head = try fixture.commit("first", files: ["fleet.yaml": "1\n"])
        try fixture.push()
        let source = try fixture.source()
        let unknown = try #require(Revision(String(repeating: "ab", count: 20)))

        let beforeFetch = await #expect(throws: GitSourceError.self) { try await source.file("fleet.yaml", at: head) }
        #expect(beforeFetch?.code == .objectMissing)
        _ = try await source.fetch()
        for call in [
            { try await source.file("fleet.yaml", at: unknown) != nil },
            { try await source.isAncestor(unknown, of: head) },
            { try await source.commits(from: unknown, to: head).isEmpty },
        ] as [@Sendable () async throws -> Bool] {
            let error = await #expect(throws: GitSourceError.self) { _ = try await call() }
            #expect(error?.code == .objectMissing)
        }
    }

    @Test func aMissingRemotePathIsInvalidConfiguration() async throws {
        let fixture = try GitFixture()
        let source = try fixture.source(url: fixture.root + "/no-such-repo.git")
        let error = await #expect(throws: GitSourceError.self) { try await source.remoteHead() }
        #expect(error?.code == .invalidConfiguration)
    }
}
