import Foundation
import Synchronization

/// Faults tests inject through the admin API: for a route (or `*`), answer some requests with an
/// error status (429 with Retry-After, 5xx, a stockout), or delay them past a client's timeout.
public final class FaultInjector: Sendable {
    /// One rule.
    public struct Rule: Codable, Hashable, Sendable {
        /// The route name it applies to, or `*` for every route.
        public var route: String
        /// The status to answer (429, 500, 503, …); 0 with `delayMilliseconds` only delays.
        public var status: Int
        /// How many matching requests to fail; nil for every one (subject to `rate`).
        public var count: Int?
        /// The share of matching requests to fail, 0…1 (default 1).
        public var rate: Double?
        /// `Retry-After` seconds to send with a 429.
        public var retryAfterSeconds: Int?
        /// Delay the response this long (simulates a timeout when longer than the client's).
        public var delayMilliseconds: Int?
        /// For GCE inserts: finish the operation with this error code instead (e.g. `ZONE_RESOURCE_POOL_EXHAUSTED`).
        public var operationError: String?

        /// Creates a rule.
        public init(
            route: String,
            status: Int,
            count: Int? = nil,
            rate: Double? = nil,
            retryAfterSeconds: Int? = nil,
            delayMilliseconds: Int? = nil,
            operationError: String? = nil
        ) {
            self.route = route
            self.status = status
            self.count = count
            self.rate = rate
            self.retryAfterSeconds = retryAfterSeconds
            self.delayMilliseconds = delayMilliseconds
            self.operationError = operationError
        }
    }

    private let rules = Mutex<[Rule]>([])

    /// Creates an injector with no faults.
    public init() {}

    /// Adds rules.
    public func add(_ new: [Rule]) { self.rules.withLock { $0 += new } }

    /// Removes every rule.
    public func clear() { self.rules.withLock { $0.removeAll() } }

    /// The fault to apply to this request of `route`, if any (consuming one of a rule's count).
    func fault(for route: String) -> Rule? {
        self.rules.withLock { rules in
            for index in rules.indices where rules[index].route == route || rules[index].route == "*" {
                if let count = rules[index].count, count <= 0 { continue }
                if let rate = rules[index].rate, Double.random(in: 0..<1) >= rate { continue }
                if let count = rules[index].count { rules[index].count = count - 1 }
                return rules[index]
            }
            return nil
        }
    }
}
