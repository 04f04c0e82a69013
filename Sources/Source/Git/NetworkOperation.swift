import CLibGit2
import Reconciler

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One network call (connect, list, download) against the remote, as libgit2's callbacks and
/// ``DeadlineSocketStream`` see it: its deadline, and what went wrong that libgit2's error
/// codes do not say reliably (the deadline passed; the server asked for credentials).
///
/// Confined to the thread that runs the call: ``run(_:)`` publishes it in a thread-local slot,
/// which is how a stream libgit2 creates deep inside the call finds its deadline.
final class NetworkOperation {
    /// `CLOCK_MONOTONIC` nanoseconds after which every wait fails.
    let deadline: Int64
    /// Set when a wait or a progress callback found the deadline passed.
    var timedOut = false
    /// Set when the server answered 401 and libgit2 asked for credentials.
    var authenticationRequested = false

    /// An operation that must end within `timeout` from now.
    init(timeout: Duration) {
        self.deadline = MonotonicClock.deadline(after: timeout)
    }

    /// The operation running on this thread, if any.
    static var current: NetworkOperation? {
        guard let pointer = pthread_getspecific(Self.slot) else { return nil }
        return Unmanaged<NetworkOperation>.fromOpaque(pointer).takeUnretainedValue()
    }

    /// True (and ``timedOut`` set) once the deadline has passed.
    func checkDeadline() -> Bool {
        if MonotonicClock.now() >= self.deadline { self.timedOut = true }
        return self.timedOut
    }

    /// Runs `body` with this operation published as the thread's current one.
    func run<T>(_ body: () throws(GitSourceError) -> T) throws(GitSourceError) -> T {
        pthread_setspecific(Self.slot, Unmanaged.passUnretained(self).toOpaque())
        defer { pthread_setspecific(Self.slot, nil) }
        return try body()
    }

    /// The remote callbacks for this operation: credentials requests are refused (the token
    /// travels only as a header) and recorded; progress past the deadline aborts the transfer.
    func callbacks() -> git_remote_callbacks {
        var callbacks = git_remote_callbacks()
        git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION))
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { _, _, _, _, payload in
            guard let payload else { return GIT_EAUTH.rawValue }
            Unmanaged<NetworkOperation>.fromOpaque(payload).takeUnretainedValue().authenticationRequested = true
            git_error_set_str(Int32(GIT_ERROR_HTTP.rawValue), "the remote asked for credentials")
            return GIT_EAUTH.rawValue
        }
        callbacks.transfer_progress = { _, payload in NetworkOperation.abortIfLate(payload) }
        callbacks.sideband_progress = { _, _, payload in NetworkOperation.abortIfLate(payload) }
        return callbacks
    }

    /// -1 (abort) when the operation behind `payload` is past its deadline, else 0.
    private static func abortIfLate(_ payload: UnsafeMutableRawPointer?) -> Int32 {
        guard let payload else { return 0 }
        return Unmanaged<NetworkOperation>.fromOpaque(payload).takeUnretainedValue().checkDeadline() ? -1 : 0
    }

    private static let slot: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
