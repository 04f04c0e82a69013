import SourceVerification
import Testing

@Suite("X-GitHub-Delivery replay guard")
struct DeliveryReplayGuardTests {
    /// An instant the test chooses: seconds since an arbitrary start.
    struct At: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> At { At(offset: self.offset + duration) }
        func duration(to other: At) -> Duration { other.offset - self.offset }
        static func < (lhs: At, rhs: At) -> Bool { lhs.offset < rhs.offset }
    }

    static func at(_ seconds: Int64) -> At { At(offset: .seconds(seconds)) }

    @Test("a delivery id seen twice is refused the second time")
    func duplicates() {
        var deliveries = DeliveryReplayGuard<At>(window: .seconds(600), capacity: 10)
        #expect(deliveries.admit("72d3162e-cc78-11e3-81ab-4c9367dc0958", at: Self.at(0)) == .new)
        #expect(deliveries.admit("72d3162e-cc78-11e3-81ab-4c9367dc0958", at: Self.at(1)) == .replayed)
        #expect(deliveries.admit("72d3162e-cc78-11e3-81ab-4c9367dc0959", at: Self.at(2)) == .new)
        #expect(deliveries.admit("72d3162e-cc78-11e3-81ab-4c9367dc0958", at: Self.at(599)) == .replayed)
        #expect(deliveries.count == 2)
    }

    @Test("an id is forgotten once the window has passed since it was first seen")
    func evictionByAge() {
        var deliveries = DeliveryReplayGuard<At>(window: .seconds(60), capacity: 10)
        #expect(deliveries.admit("a", at: Self.at(0)) == .new)
        #expect(deliveries.admit("b", at: Self.at(30)) == .new)
        #expect(deliveries.admit("a", at: Self.at(59)) == .replayed)  // a replay does not extend "a"
        #expect(deliveries.admit("a", at: Self.at(60)) == .new)
        #expect(deliveries.admit("b", at: Self.at(60)) == .replayed)
        #expect(deliveries.admit("c", at: Self.at(1_000)) == .new)
        #expect(deliveries.count == 1)
    }

    @Test("past capacity the oldest id is forgotten first")
    func evictionByCapacity() {
        var deliveries = DeliveryReplayGuard<At>(window: .seconds(3_600), capacity: 3)
        for (index, id) in ["a", "b", "c", "d"].enumerated() {
            #expect(deliveries.admit(id, at: Self.at(Int64(index))) == .new)
        }
        #expect(deliveries.count == 3)
        #expect(deliveries.admit("a", at: Self.at(10)) == .new)  // evicted by "d", so new again (and evicts "b")
        #expect(deliveries.admit("c", at: Self.at(11)) == .replayed)
        #expect(deliveries.admit("d", at: Self.at(12)) == .replayed)
        #expect(deliveries.admit("b", at: Self.at(13)) == .new)
    }

    @Test("a time earlier than the latest counts as the latest")
    func timeGoingBackwards() {
        var deliveries = DeliveryReplayGuard<At>(window: .seconds(60), capacity: 10)
        #expect(deliveries.admit("a", at: Self.at(100)) == .new)
        #expect(deliveries.admit("a", at: Self.at(0)) == .replayed)
        #expect(deliveries.admit("b", at: Self.at(0)) == .new)
        #expect(deliveries.admit("b", at: Self.at(159)) == .replayed)
        #expect(deliveries.admit("b", at: Self.at(160)) == .new)
    }

    @Test("many deliveries stay within capacity")
    func bounded() {
        var deliveries = DeliveryReplayGuard<At>(window: .seconds(1_000_000), capacity: 100)
        for index in 0..<10_000 {
            #expect(deliveries.admit("id-\(index)", at: Self.at(Int64(index))) == .new)
        }
        #expect(deliveries.count == 100)
        #expect(deliveries.admit("id-9999", at: Self.at(10_000)) == .replayed)
        #expect(deliveries.admit("id-9899", at: Self.at(10_000)) == .new)
    }
}
