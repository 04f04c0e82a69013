import Daemon
import Testing

/// The schedule's state machine: one pass at a time, wakes folded, resync jitter, full-jitter
/// backoff with its cap, suspend and resume.
@Suite struct ReconcileScheduleTests {
    @Test("wakes during a pass fold into exactly one more pass")
    func wakesFold() {
        var schedule = ReconcileSchedule()
        #expect(schedule.wake(.start) == .startPass)
        for _ in 0..<100 { #expect(schedule.wake(.webhook) == .idle) }
        #expect(schedule.passFinished(succeeded: true, random: 0.5) == .startPass)
        #expect(schedule.passFinished(succeeded: true, random: 0.5) == .sleep(.seconds(60)))
    }

    @Test("the resync interval is jittered by ±10 %")
    func resyncJitter() {
        var schedule = ReconcileSchedule()
        _ = schedule.wake(.start)
        #expect(schedule.passFinished(succeeded: true, random: 0) == .sleep(.seconds(54)))
        #expect(schedule.delay(random: 1) == .seconds(66))
    }

    @Test("failures back off with full jitter, doubling up to five minutes, and a success resets them")
    func backoff() {
        var schedule = ReconcileSchedule()
        var ceilings: [Duration] = []
        for _ in 0..<12 {
            _ = schedule.wake(.timer)
            _ = schedule.passFinished(succeeded: false, random: 0.3)
            ceilings.append(schedule.delay(random: 1))
            #expect(schedule.delay(random: 0) == .zero)
        }
        #expect(Array(ceilings.prefix(9)) == [1, 2, 4, 8, 16, 32, 64, 128, 256].map { Duration.seconds($0) })
        #expect(ceilings.dropFirst(9).allSatisfy { $0 == .seconds(300) })
        _ = schedule.wake(.timer)
        #expect(schedule.passFinished(succeeded: true, random: 0.5) == .sleep(.seconds(60)))
        #expect(schedule.consecutiveFailures == 0)
    }

    @Test("a suspended environment remembers wakes and runs once on resume")
    func suspendResume() {
        var schedule = ReconcileSchedule()
        schedule.suspend()
        #expect(schedule.wake(.webhook) == .idle)
        #expect(schedule.pending)
        #expect(schedule.resume() == .startPass)
        schedule.suspend()
        #expect(schedule.passFinished(succeeded: true, random: 0.5) == .idle, "no timer while suspended")
    }
}
