import Reconciler
import Spec
import Testing

@testable import Daemon

/// The record's condition logic, pure: what each look at the source and each pass leave in the
/// status.
@Suite struct EnvironmentRecordTests {
    static let first = Revision(String(repeating: "1", count: 40))!
    static let second = Revision(String(repeating: "2", count: 40))!

    static func accepted(_ revision: Revision, verified: Bool? = nil) throws -> SourcePoll {
        let desired = try DaemonFixture.desired()
        let target = ReconcileTarget(
            file: "fleet.yaml",
            specDigest: revision.hex,
            desired: desired,
            marks: OwnershipMarks(fleet: desired.fleet, prefix: "dd")
        )
        return .accepted(DesiredRevision(revision: revision, target: target, verified: verified))
    }

    @Test("a force-push that is undone (the head is the applied revision again) lifts the stall")
    func undoneForcePush() throws {
        var record = EnvironmentRecord(environment: "production", source: DaemonFixture.description, now: 0)
        #expect(record.absorb(try Self.accepted(Self.first), now: 1) == Self.first)
        _ = record.absorb(.stalled(head: Self.second, reason: "NonFastForward", message: "no"), now: 2)
        #expect(record.status.conditions.isTrue(.stalled))
        _ = record.absorb(.unchanged(head: Self.first), now: 3)
        #expect(record.sourceStall == nil)
        let report = PassReport(outcome: .converged(Plan(fleet: "acme", environments: [], actions: [])), plan: nil)
        guard let desired = record.desired else { return }
        _ = record.finishPass(report, desired: desired, trigger: .timer, started: 3, now: 4)
        #expect(!record.status.conditions.isTrue(.stalled) && record.status.conditions.isTrue(.ready))
    }

    @Test("an approval lifts a NonFastForward stall at once, never an Unverified one")
    func approvals() throws {
        var record = EnvironmentRecord(environment: "production", source: DaemonFixture.description, now: 0)
        _ = record.absorb(try Self.accepted(Self.first, verified: true), now: 1)
        _ = record.absorb(.stalled(head: Self.second, reason: "Unverified", message: "unsigned"), now: 2)
        record.approve(Self.second, now: 3)
        #expect(record.status.conditions.isTrue(.stalled) && record.status.conditions[.sourceVerified].status == .false)
        _ = record.absorb(.stalled(head: Self.second, reason: "NonFastForward", message: "no"), now: 4)
        record.approve(Self.second, now: 5)
        #expect(record.status.conditions[.stalled].reason == "Approved" && !record.status.conditions.isTrue(.stalled))
        #expect(record.status.conditions[.ready].reason == "Progressing", "wait must not read the old Ready")
    }

    @Test("a new revision makes Ready False until a pass converges at it; the transition time moves only with the status")
    func readyFollowsTheRevision() throws {
        var record = EnvironmentRecord(environment: "production", source: DaemonFixture.description, now: 0)
        _ = record.absorb(try Self.accepted(Self.first), now: 1)
        guard let desired = record.desired else { return }
        let converged = PassReport(outcome: .converged(Plan(fleet: "acme", environments: [], actions: [])), plan: nil)
        _ = record.finishPass(converged, desired: desired, trigger: .start, started: 1, now: 2)
        _ = record.finishPass(converged, desired: desired, trigger: .timer, started: 9, now: 10)
        #expect(record.status.conditions[.ready].lastTransitionTime == 2)
        _ = record.absorb(try Self.accepted(Self.second), now: 11)
        #expect(record.status.conditions[.ready].status == .false && record.status.conditions[.ready].lastTransitionTime == 11)
        #expect(record.status.conditions[.sourceVerified].reason == "NotRequired")
    }
}
