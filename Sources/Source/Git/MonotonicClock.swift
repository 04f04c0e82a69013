#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Nanoseconds on `CLOCK_MONOTONIC`: what the deadlines of ``DeadlineSocketStream`` compare
/// against, as plain integers so they fit in its C state.
enum MonotonicClock {
    /// Now.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The instant `duration` from now (saturating, so a huge timeout means "far away", not a wrap).
    static func deadline(after duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return Int64.max }
        let (sum, overflow) = Self.now().addingReportingOverflow(nanoseconds.partialValue + attoseconds / 1_000_000_000)
        return overflow ? Int64.max : sum
    }
}
