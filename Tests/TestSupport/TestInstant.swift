/// A point on a test clock (``TestClock``, ``ManualClock``): time since the clock started.
public struct TestInstant: InstantProtocol {
    /// Time since the clock started.
    public var offset: Duration
    /// `self` moved by `duration`.
    public func advanced(by duration: Duration) -> TestInstant { TestInstant(offset: self.offset + duration) }
    /// The duration to `other`.
    public func duration(to other: TestInstant) -> Duration { other.offset - self.offset }
    /// Earlier first.
    public static func < (lhs: TestInstant, rhs: TestInstant) -> Bool { lhs.offset < rhs.offset }
}
