import ControlPlane
import Daemon
import Foundation
import ProviderSupport
import Reconciler
import Testing

/// The admin routes on a real server: `POST /approve` and `POST /environments/ENV/suspend|resume`,
/// behind a bearer token.
@Suite struct DaemonRoutesAdminTests {
    static let revision = "0123456789abcdef0123456789abcdef01234567"

    static func approval(_ revision: String, environment: String? = nil) -> [UInt8] {
        var object = ["revision": revision]
        if let environment { object["environment"] = environment }
        return Array((try? JSONEncoder().encode(object)) ?? Data())
    }

    /// An environment stalled on `revision` (a head that does not fast-forward).
    static func stalled(_ name: String, on revision: Revision?) -> EnvironmentStatus {
        var status = EnvironmentStatus(name: name, now: 0)
        status.observedRevision = revision
        status.conditions.set(.stalled, .true, reason: "NonFastForward", message: "does not fast-forward", now: 1)
        return status
    }

    @Test("POST /approve with the token: 200, and every environment stalled on that head (or the one named) is asked to approve")
    func approve() async throws {
        let revision = try #require(Revision(Self.revision))
        let production = FakeEnvironment("production", status: Self.stalled("production", on: revision))
        let staging = FakeEnvironment("staging", status: Self.stalled("staging", on: revision))
        try await DaemonRoutesServer.with(environments: [production, staging]) { server in
            let all = try await server.admin("/approve", body: Self.approval(Self.revision))
            #expect(all.status == 200, "\(all.text)")
            let object = try all.object()
            #expect(object["approved"] as? String == Self.revision)
            #expect(object["environments"] as? String == "production,staging")
            #expect(production.recorded.approvals == [revision] && staging.recorded.approvals == [revision])

            // Upper-case hex is a commit id too; it is approved in its canonical spelling.
            let one = try await server.admin("/approve", body: Self.approval(Self.revision.uppercased(), environment: "staging"))
            #expect(one.status == 200, "\(one.text)")
            #expect(production.recorded.approvals == [revision] && staging.recorded.approvals == [revision, revision])
        }
    }

    @Test("POST /approve of a revision no environment is stalled on is 409 and approves nothing")
    func approveWhatIsNotStalled() async throws {
        let revision = try #require(Revision(Self.revision))
        let other = try #require(Revision(String(repeating: "e", count: 40)))
        let production = FakeEnvironment("production", status: Self.stalled("production", on: other))
        let staging = FakeEnvironment("staging")
        try await DaemonRoutesServer.with(environments: [production, staging]) { server in
            let response = try await server.admin("/approve", body: Self.approval(revision.hex))
            #expect(response.status == 409, "\(response.text)")
            #expect(production.recorded.approvals.isEmpty && staging.recorded.approvals.isEmpty)
        }
    }

    @Test("POST /approve refusals: 401 wrong or missing token, 400 malformed body or revision, 404 unknown environment")
    func approveRefusals() async throws {
        let production = FakeEnvironment("production")
        try await DaemonRoutesServer.with(environments: [production]) { server in
            let body = Self.approval(Self.revision)
            let wrong = try await server.admin("/approve", token: "not-the-token", body: body)
            #expect(wrong.status == 401, "\(wrong.text)")
            let missing = try await server.admin("/approve", token: nil, body: body)
            #expect(missing.status == 401, "\(missing.text)")
            let prefix = try await server.admin("/approve", token: String(DaemonRoutesServer.adminToken.dropLast()), body: body)
            #expect(prefix.status == 401, "a prefix of the token is not the token: \(prefix.text)")
            let basic = try await server.post("/approve", headers: [("Authorization", "Basic \(DaemonRoutesServer.adminToken)")], body: body)
            #expect(basic.status == 401, "\(basic.text)")

            let malformedBodies = [
                "not json", "{}", #"{"revision": 42}"#, #"{"revision": "abc"}"#, #"{"revision": "\#(String(repeating: "g", count: 40))"}"#,
            ]
            for malformed in malformedBodies {
                let response = try await server.admin("/approve", body: Array(malformed.utf8))
                #expect(response.status == 400, "\(malformed): \(response.text)")
            }
            let empty = try await server.admin("/approve")
            #expect(empty.status == 400, "\(empty.text)")
            let padded = #"{"revision": "\#(Self.revision)", "pad": "\#(String(repeating: "x", count: 5000))"}"#
            let huge = try await server.admin("/approve", body: Array(padded.utf8))
            #expect(huge.status == 400, "a body over 4 KiB: \(huge.text)")

            let unknown = try await server.admin("/approve", body: Self.approval(Self.revision, environment: "qa"))
            #expect(unknown.status == 404, "\(unknown.text)")

            #expect(production.recorded.approvals.isEmpty)
        }
    }

    @Test("with no admin token configured the admin routes are 403, whatever token is sent")
    func adminDisabled() async throws {
        let production = FakeEnvironment("production")
        try await DaemonRoutesServer.with(environments: [production], adminToken: nil) { server in
            let approve = try await server.admin("/approve", body: Self.approval(Self.revision))
            #expect(approve.status == 403, "\(approve.text)")
            #expect(approve.text.contains("--admin-token-file"), "\(approve.text)")
            let bare = try await server.admin("/approve", token: nil, body: Self.approval(Self.revision))
            #expect(bare.status == 403, "\(bare.text)")
            let suspend = try await server.admin("/environments/production/suspend")
            #expect(suspend.status == 403, "\(suspend.text)")
            #expect(production.recorded.approvals.isEmpty && production.recorded.suspends == 0)
        }
    }

    @Test("an empty admin token disables the admin routes instead of matching an absent Authorization header")
    func emptyAdminToken() async throws {
        let production = FakeEnvironment("production")
        try await DaemonRoutesServer.with(environments: [production], adminToken: "") { server in
            let approve = try await server.admin("/approve", token: nil, body: Self.approval(Self.revision))
            let suspend = try await server.admin("/environments/production/suspend", token: nil)
            #expect(approve.status == 403, "\(approve.status): \(approve.text)")
            #expect(suspend.status == 403, "\(suspend.status): \(suspend.text)")
            #expect(production.recorded.approvals.isEmpty && production.recorded.suspends == 0)
        }
    }

    @Test("POST /environments/ENV/suspend and /resume with the token; 401 without it, 404 for an unknown environment or verb")
    func suspendAndResume() async throws {
        let production = FakeEnvironment("production")
        let staging = FakeEnvironment("staging")
        try await DaemonRoutesServer.with(environments: [production, staging]) { server in
            let suspend = try await server.admin("/environments/production/suspend")
            #expect(suspend.status == 200, "\(suspend.text)")
            #expect(try suspend.object()["result"] as? String == "suspended")
            #expect(production.recorded.suspends == 1 && production.recorded.resumes == 0)

            let resume = try await server.admin("/environments/production/resume")
            #expect(resume.status == 200, "\(resume.text)")
            #expect(try resume.object()["result"] as? String == "resumed")
            #expect(production.recorded.suspends == 1 && production.recorded.resumes == 1)

            let unauthorised = try await server.admin("/environments/production/suspend", token: nil)
            #expect(unauthorised.status == 401, "\(unauthorised.text)")
            let wrong = try await server.admin("/environments/production/resume", token: "nope")
            #expect(wrong.status == 401, "\(wrong.text)")
            let unknown = try await server.admin("/environments/qa/suspend")
            #expect(unknown.status == 404, "\(unknown.text)")
            let verb = try await server.admin("/environments/production/delete")
            #expect(verb.status == 404, "\(verb.text)")

            #expect(production.recorded.suspends == 1 && production.recorded.resumes == 1)
            #expect(staging.recorded.suspends == 0 && staging.recorded.resumes == 0)
        }
    }
}
