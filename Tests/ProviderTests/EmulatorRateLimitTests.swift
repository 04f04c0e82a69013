import Testing

@testable import Emulators

/// The emulators' rate limit: at most N requests in any window, refused with the time until the
/// oldest accepted one leaves it — the published semantics, not the clients' token bucket.
@Suite struct EmulatorRateLimitTests {
    @Test("a window admits its limit, refuses the next with the wait, and slides")
    func windowSlides() {
        var window = RequestWindow(limit: 3, per: .seconds(60))
        #expect(window.admit(at: .seconds(0)) == nil)
        #expect(window.admit(at: .seconds(10)) == nil)
        #expect(window.admit(at: .seconds(20)) == nil)
        #expect(window.remaining(at: .seconds(20)) == 0)
        #expect(window.admit(at: .seconds(30)) == .seconds(30))
        // Exactly one window after the first request, its slot is free again; the refused one
        // took none.
        #expect(window.admit(at: .seconds(60)) == nil)
        #expect(window.admit(at: .seconds(61)) == .seconds(9))
        #expect(window.remaining(at: .seconds(119)) == 2)
        #expect(window.remaining(at: .seconds(120)) == 3)
    }

    @Test("a burst of the whole limit is admitted at once (no refill rate), unlike a token bucket refilling")
    func burstUpToTheLimit() {
        var window = RequestWindow(limit: 1200, per: .seconds(300))
        let admitted = (0..<1300).filter { _ in window.admit(at: .seconds(5)) == nil }.count
        #expect(admitted == 1200)
        #expect(window.admit(at: .seconds(305)) == nil)
    }

    @Test("Retry-After and RateLimit carry whole seconds, rounded up", arguments: [(Duration.seconds(3), 3), (.milliseconds(2001), 3), (.zero, 0)])
    func wholeSeconds(duration: Duration, seconds: Int) {
        #expect(RequestWindow.wholeSeconds(duration) == seconds)
    }
}
