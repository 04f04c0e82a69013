import Daemon
import Foundation
import Reconciler
import TestSupport
import Testing

/// The GitOps daemon end to end, through the binary: `control-plane --repo` following a git
/// repository made with the `git` CLI, against the `emulator` process, read and steered with
/// `status`, `wait`, `approve`, `GET /status`, `GET /plans/ENV` and `POST /hooks/github`. One
/// emulator, repository and control plane per test; serialized, to be frugal with the machine.
@Suite(.serialized) struct ControlPlaneDaemonCLITests {
    /// The example fleet's production `web` pool with another count.
    static func webCount(_ count: Int, in fleet: String) throws -> String {
        let old = "        count: 3\n        machineType: c3-standard-8\n"
        guard fleet.contains(old) else { throw DaemonFleet.Failure("examples/fleet.yaml's production web pool moved") }
        return fleet.replacingOccurrences(of: old, with: "        count: \(count)\n        machineType: c3-standard-8\n")
    }

    /// A route the emulator journals that only reads (`gce instances.aggregatedList`,
    /// `cloudflare dns.list`, `cloudflare tunnels.getConfiguration`, …).
    static func isRead(_ route: String) -> Bool {
        let operation = route.split(separator: ".").last.map { $0.lowercased() } ?? ""
        return operation.hasPrefix("get") || operation.hasSuffix("list")
    }

    @Test("converges at the first commit, then idles: passes keep running and make only list and get calls")
    func convergesThenIdles() async throws {
        try await DaemonFleet.with { fleet, first in
            try await fleet.startControlPlane()
            try await fleet.ready(at: first)
            #expect(try await fleet.instances(environment: "production").count == 6, "3 web, 2 batch, the control plane")
            try await fleet.resetJournal()
            try await fleet.waitForPasses(3)
            let journal = try await fleet.journal()
            #expect(journal.mutating == 0, "\(journal.counts)")
            #expect(!journal.counts.isEmpty, "the passes observed the clouds")
            #expect(journal.counts.keys.filter { !Self.isRead($0) }.isEmpty, "only reads: \(journal.counts)")
            let status = try await fleet.status()
            #expect(status.conditions.isTrue(.ready) && status.lastPass?.result == "converged")
            try await fleet.expectCleanStop()
        }
    }

    @Test("a commit and a signed push webhook converge without apply: `wait` exits 0, GCE has the new VM")
    func commitConvergesWithoutApply() async throws {
        try await DaemonFleet.with { fleet, first in
            try await fleet.startControlPlane()
            try await fleet.ready(at: first)
            let second = try fleet.commit(try Self.webCount(4, in: try fleet.fleetFile()), message: "four web VMs")
            #expect(try await fleet.push(second, secret: "not-the-secret") == 401, "an unsigned delivery is refused")
            #expect(try await fleet.push(second) == 202)
            let wait = try await fleet.run([
                "wait", "--control-plane", fleet.url, "--revision", second.hex, "--env", "production", "--timeout", "60", "--poll", "1",
            ])
            #expect(wait.status == 0, "\(wait.standardError)\n\(fleet.log.suffix(2000))")
            #expect(try await fleet.instances(environment: "production", pool: "web").count == 4)
            try await fleet.expectCleanStop()
        }
    }

    @Test("an invalid fleet.yaml pushed deletes nothing: SourceReady False InvalidSpec with file:line:col, applied stays")
    func invalidFleetDeletesNothing() async throws {
        try await DaemonFleet.with { fleet, first in
            try await fleet.startControlPlane()
            try await fleet.ready(at: first)
            let invalid = try Self.webCount(-1, in: try fleet.fleetFile())
            let lines = invalid.split(separator: "\n", omittingEmptySubsequences: false)
            let line = try #require(lines.firstIndex { $0.hasSuffix("count: -1") })
            let column = try #require(lines[line].range(of: "-1")).lowerBound.utf16Offset(in: lines[line]) + 1
            let position = "fleet.yaml:\(line + 1):\(column):"
            let bad = try fleet.commit(invalid, message: "a typo")
            let status = try await fleet.status(until: "SourceReady False at \(bad.short)") {
                $0.observedRevision == bad && $0.conditions[.sourceReady].status == .false
            }
            #expect(status.conditions[.sourceReady].reason == "InvalidSpec")
            #expect(status.diagnostics.contains { $0.hasPrefix(position) && $0.contains("[out-of-range]") }, "\(status.diagnostics)")
            #expect(status.appliedRevision == first)
            try await fleet.resetJournal()
            try await fleet.waitForPasses(2)
            let journal = try await fleet.journal()
            #expect(journal.counts.keys.filter { $0.hasSuffix(".delete") }.isEmpty, "\(journal.counts)")
            #expect(journal.mutating == 0, "\(journal.counts)")
            #expect(try await fleet.status().appliedRevision == first)
            #expect(try await fleet.instances(environment: "production", pool: "web").count == 3)
            let printed = try await fleet.run(["status", "--control-plane", fleet.url])
            #expect(printed.standardOutput.contains(position) && printed.standardOutput.contains("InvalidSpec"), "\(printed.standardOutput)")
            // The environment stays Ready at the applied revision, but the head can never be
            // applied: `status` says something needs attention, and `wait` for that head fails
            // at once instead of waiting out its timeout.
            let wait = try await fleet.run(["wait", "--control-plane", fleet.url, "--revision", bad.hex, "--env", "production", "--timeout", "3"])
            #expect(printed.status == 1, "\(printed.standardOutput)")
            #expect(wait.status == 1, "\(wait.standardError)")
            try await fleet.expectCleanStop()
        }
    }

    /// 3 → 1 web VMs deletes 2 VMs with their tunnels and 2 records each: 8 of production's 21
    /// owned objects (38 %), over the default 30 % circuit breaker; this control plane runs with
    /// `--max-delete-percent 100` so that the approval, not the breaker, is what is tested.
    @Test("a force-push stalls NonFastForward and deletes nothing until `approve`; then `wait` exits 0")
    func forcePushNeedsApproval() async throws {
        try await DaemonFleet.with { fleet, first in
            try await fleet.startControlPlane(["--max-delete-percent", "100"])
            try await fleet.ready(at: first)
            let reviewed = try fleet.commit(try fleet.fleetFile() + "# reviewed\n", message: "a comment")
            try await fleet.ready(at: reviewed)
            try fleet.git(["reset", "-q", "--hard", "HEAD~1"])
            let rewritten = try fleet.commit(try Self.webCount(1, in: try fleet.fleetFile()), message: "one web VM")
            try await fleet.resetJournal()
            let stalled = try await fleet.status(until: "Stalled at \(rewritten.short)") {
                $0.observedRevision == rewritten && $0.conditions.isTrue(.stalled)
            }
            #expect(stalled.conditions[.stalled].reason == "NonFastForward", "\(stalled.conditions[.stalled])")
            #expect(stalled.appliedRevision == reviewed)
            let refused = try await fleet.run([
                "wait", "--control-plane", fleet.url, "--revision", rewritten.hex, "--env", "production", "--timeout", "30", "--poll", "1",
            ])
            #expect(refused.status == 1, "\(refused.standardError)")
            #expect(refused.standardError.contains("NonFastForward"), "\(refused.standardError)")
            #expect(try await fleet.instances(environment: "production", pool: "web").count == 3, "nothing deleted")
            #expect(try await fleet.journal().counts.keys.filter { $0.hasSuffix(".delete") }.isEmpty)

            let approve = try await fleet.run([
                "approve", "--control-plane", fleet.url, "--admin-token-file", fleet.adminTokenFile.path, rewritten.hex,
            ])
            #expect(approve.status == 0, "\(approve.standardError)")
            let wait = try await fleet.run([
                "wait", "--control-plane", fleet.url, "--revision", rewritten.hex, "--env", "production", "--timeout", "60", "--poll", "1",
            ])
            #expect(wait.status == 0, "\(wait.standardError)\n\(fleet.log.suffix(2000))")
            #expect(try await fleet.instances(environment: "production", pool: "web").count == 1)
            try await fleet.expectCleanStop()
        }
    }

    @Test("scope: a staging VM deleted behind its back is never recreated; a production one is")
    func onlyItsEnvironmentIsHealed() async throws {
        try await DaemonFleet.with { fleet, first in
            // Staging exists only if something applied it: `apply` of the whole file, by hand.
            let applied = try await fleet.run(["apply", "fleet.yaml", "--auto-approve"])
            try #require(applied.status == 0, "\(applied.standardError)")
            let staging = try await fleet.instances(environment: "staging")
            let victim = try #require(staging.first)
            try await fleet.startControlPlane()
            try await fleet.ready(at: first)
            let production = try #require(try await fleet.instances(environment: "production", pool: "batch").first)
            try await fleet.delete(victim)
            try await fleet.delete(production)
            try await DaemonFleet.poll("the production VM to be recreated", timeout: .seconds(30)) {
                try await fleet.instances().contains { $0.name == production.name && $0.id != production.id } ? true : nil
            }
            try await fleet.ready(at: first)
            try await fleet.resetJournal()
            try await fleet.waitForPasses(3)
            #expect(try await fleet.journal().mutating == 0, "converged again: nothing more to do")
            let after = try await fleet.instances(environment: "staging")
            #expect(!after.contains { $0.name == victim.name }, "staging is not this control plane's to heal")
            #expect(Set(after) == Set(staging).subtracting([victim]), "and the rest of staging is untouched")
            try await fleet.expectCleanStop()
        }
    }

    /// `plan --env production` plans what production's control plane reconciles, so the daemon's
    /// last plan and the CLI's are byte for byte the same document (JSON and Markdown) for the
    /// same checkout and clouds: `plan` runs in the checkout with `fleet.yaml`, the daemon's
    /// `--path`. Compared twice: converged (no actions), and with a stable non-empty plan (a
    /// managed hostname's record disowned: both refuse with `foreign-dns-record`).
    @Test("GET /plans/production is what `plan --env production` prints for the same checkout and clouds")
    func plansMatchTheCLI() async throws {
        try await DaemonFleet.with { fleet, first in
            // `plan`'s tunnel-configuration budget (500): every configuration read by both, so
            // the sources' details match too.
            try await fleet.startControlPlane(["--ingress-checks", "500"])
            try await fleet.ready(at: first)
            try await Self.expectSamePlan(fleet, exitCode: 0)

            try await fleet.disown(record: "app.devopsdefender.com")
            try await fleet.status(until: "the plan refused") { $0.lastPass?.result == "refused" }
            let document = try await Self.expectSamePlan(fleet, exitCode: 3)
            #expect((document["refusals"] as? [[String: Any]])?.map { $0["code"] as? String } == ["foreign-dns-record"])
            try await fleet.expectCleanStop()
        }
    }

    /// Compares the daemon's last plan with `plan --env production`'s, byte for byte, in JSON
    /// and Markdown; answers the JSON.
    @discardableResult
    static func expectSamePlan(_ fleet: DaemonFleet, exitCode: Int32) async throws -> [String: Any] {
        let daemon = try await fleet.plan()
        let cli = try await fleet.run(["plan", "fleet.yaml", "--env", "production", "--format", "json"])
        #expect(cli.status == exitCode, "\(cli.standardError)")
        #expect(daemon == cli.standardOutput)
        let markdown = try await fleet.run(["plan", "fleet.yaml", "--env", "production", "--format", "markdown"])
        #expect(try await fleet.plan(format: "markdown") == markdown.standardOutput)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(daemon.utf8)) as? [String: Any])
        let inputs = try #require(document["inputs"] as? [String: Any])
        let scope = try #require(inputs["environmentScope"] as? [String: Any])
        #expect(scope["environments"] as? [String] == ["production"])
        return document
    }
}
