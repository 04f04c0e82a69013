import Emulators
import Hummingbird
import Synchronization

/// Timestamps, as each request reaches the emulators, the calls that change cloud state (the
/// journal's definition: not GET/HEAD, not the OAuth token exchange, not GCE's operation wait).
/// The journal keeps no times and offers no callback, so the benchmark puts this middleware in
/// front of the emulators' routes and cross-checks it against `RequestJournal.mutatingCount`.
final class MutationWatch: Sendable {
    /// A mutating request.
    struct Mutation: Sendable {
        var at: ContinuousClock.Instant
        var method: String
        var path: String
    }

    private struct State {
        var mutations: [Mutation] = []
        var waiter: CheckedContinuation<Mutation, Never>?
    }

    private let state = Mutex(State())

    /// Forgets what was seen.
    func reset() { self.state.withLock { $0 = State() } }

    /// The first mutation since the last ``reset()``, once it has arrived.
    func firstMutation() async -> Mutation {
        await withCheckedContinuation { continuation in
            let first: Mutation? = self.state.withLock { state in
                if let first = state.mutations.first { return first }
                state.waiter = continuation
                return nil
            }
            if let first { continuation.resume(returning: first) }
        }
    }

    /// Mutations since the last ``reset()``.
    var mutations: [Mutation] { self.state.withLock { $0.mutations } }

    fileprivate func saw(method: String, path: String) {
        let mutation = Mutation(at: .now, method: method, path: path)
        let waiter = self.state.withLock { state in
            state.mutations.append(mutation)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: mutation)
    }

    /// The journal's rule (`RequestJournal.mutatingCount`), by method and path.
    static func isMutating(method: String, path: String) -> Bool {
        guard method != "GET", method != "HEAD" else { return false }
        if path == "/token" { return false }  // gce oauth.token
        if path.contains("/operations/"), path.hasSuffix("/wait") { return false }  // gce operations.wait
        return true
    }

    /// The emulators' routes behind this watch (without the admin routes, which the benchmark
    /// does not use).
    func router(_ server: EmulatorServer) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: Middleware(watch: self))
        server.cloudflare?.addRoutes(to: router)
        server.gce?.addRoutes(to: router)
        return router
    }

    private struct Middleware: RouterMiddleware {
        typealias Context = BasicRequestContext
        let watch: MutationWatch

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let method = request.method.rawValue
            let path = request.uri.path
            if MutationWatch.isMutating(method: method, path: path) { self.watch.saw(method: method, path: path) }
            return try await next(request, context)
        }
    }
}
