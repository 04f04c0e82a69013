/// A server-side rate limit the way the real APIs state theirs — at most ``limit`` requests in any
/// window of ``length`` (Cloudflare: 1200 per 5 minutes per token; GCE: a per-minute quota per
/// group) — kept as a sliding log of the accepted requests' times. Deliberately not the clients'
/// token bucket: an emulator shares no logic with the client it checks.
struct RequestWindow: Sendable, Hashable {
    /// The most requests accepted in any window.
    let limit: Int
    /// The window's length.
    let length: Duration
    /// When each request still inside the window was accepted, oldest first, from ``start``.
    private var accepted: [Duration] = []
    private var start = 0

    /// A window admitting `limit` requests per `length`.
    init(limit: Int, per length: Duration) {
        self.limit = limit
        self.length = length
    }

    /// How many requests the window would accept at `now`.
    func remaining(at now: Duration) -> Int {
        self.limit - self.accepted[self.start...].count { $0 > now - self.length }
    }

    /// Accepts a request at `now` and returns nil, or refuses it and returns how long until the
    /// oldest accepted request leaves the window.
    mutating func admit(at now: Duration) -> Duration? {
        while self.start < self.accepted.count, self.accepted[self.start] <= now - self.length { self.start += 1 }
        if self.start > 1024, self.start * 2 > self.accepted.count {
            self.accepted.removeFirst(self.start)
            self.start = 0
        }
        guard self.accepted.count - self.start < self.limit else {
            return self.accepted[self.start] + self.length - now
        }
        self.accepted.append(now)
        return nil
    }

    /// `duration` in whole seconds, rounded up (as `Retry-After` and `RateLimit` headers carry it).
    static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }
}
