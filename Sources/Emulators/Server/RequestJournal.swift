import Synchronization

/// Counts every request an emulator served, per route (e.g. `cloudflare tunnels.create`), so
/// tests can assert how many calls — and how many mutating calls — a client made.
public final class RequestJournal: Sendable {
    /// One recorded request.
    public struct Entry: Hashable, Sendable {
        /// The route name.
        public var route: String
        /// The HTTP method.
        public var method: String
        /// The status answered.
        public var status: Int
    }

    private let entries = Mutex<[Entry]>([])

    /// Creates an empty journal.
    public init() {}

    func record(_ entry: Entry) {
        self.entries.withLock { $0.append(entry) }
    }

    /// Every request, in order.
    public var all: [Entry] { self.entries.withLock { $0 } }

    /// Requests per route.
    public var counts: [String: Int] {
        self.all.reduce(into: [:]) { $0[$1.route, default: 0] += 1 }
    }

    /// POSTs that change nothing: the OAuth token exchange and GCE's operation wait.
    public static let readOnlyRoutes: Set<String> = ["gce oauth.token", "gce operations.wait"]

    /// Requests that change cloud state: POST, PUT, PATCH and DELETE, except the read-only
    /// POSTs in ``readOnlyRoutes``.
    public var mutatingCount: Int {
        self.all.filter { $0.method != "GET" && $0.method != "HEAD" && !Self.readOnlyRoutes.contains($0.route) }.count
    }

    /// Forgets everything.
    public func reset() {
        self.entries.withLock { $0.removeAll() }
    }
}
