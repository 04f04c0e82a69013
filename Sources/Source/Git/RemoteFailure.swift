import CLibGit2
import Reconciler

/// Turns a failed libgit2 call on the remote into a ``GitSourceError`` code, using what the
/// ``NetworkOperation`` saw (a passed deadline, a credentials request) before libgit2's code and
/// error class, since libgit2 reports most network failures as a bare -1.
enum RemoteFailure {
    /// What the failed call was doing, as a message says it.
    enum Step: String {
        case connecting = "connecting to"
        case listing = "listing the branches of"
        case fetching = "fetching from"
    }

    /// The error for `status`, returned by a call at `step`.
    static func classify(
        status: Int32,
        step: Step,
        configuration: GitSourceLibGit2.Configuration,
        location: RemoteLocation,
        operation: NetworkOperation
    ) -> GitSourceError {
        let detail = LibGit2Error.lastMessage()
        let errorClass = LibGit2Error.lastClass()
        let remote = configuration.url
        let doing = step.rawValue
        if operation.timedOut {
            return GitSourceError(
                .timeout,
                "\(doing) \(remote) did not finish within the fetch timeout of \(configuration.fetchTimeout) (\(detail)); check that the remote answers, or raise the timeout"
            )
        }
        if operation.authenticationRequested || status == GIT_EAUTH.rawValue || Self.isHTTPRefusal(detail, errorClass) {
            let fix = configuration.token == nil ? "configure a token" : "check that the token is valid and may read the repository"
            return GitSourceError(.authentication, "the remote \(remote) refused access (HTTP 401/403) while \(doing) it; \(fix)")
        }
        if status == GIT_ECERTIFICATE.rawValue || errorClass == GIT_ERROR_SSL {
            return GitSourceError(.unreachable, "the TLS connection to \(remote) failed (\(detail)); check the CA file and directory")
        }
        if case .local(let path) = location, step == .connecting {
            return GitSourceError(.invalidConfiguration, "the remote path \(path) is not a usable git repository (\(detail)); fix the URL")
        }
        if Self.isNetwork(errorClass) || status == GIT_EEOF.rawValue {
            return GitSourceError(.unreachable, "cannot reach \(remote) while \(doing) it (\(detail)); check the URL and the network")
        }
        return GitSourceError(.io, "\(doing) \(remote) failed (\(detail)); check the cache directory's permissions and free space")
    }

    /// True for HTTP errors that carry a 401 or 403 status (libgit2 1.5 reports 403 only as
    /// "unexpected http status code: 403").
    private static func isHTTPRefusal(_ detail: String, _ errorClass: git_error_t?) -> Bool {
        errorClass == GIT_ERROR_HTTP && (detail.contains("401") || detail.contains("403"))
    }

    private static func isNetwork(_ errorClass: git_error_t?) -> Bool {
        guard let errorClass else { return false }
        return [GIT_ERROR_NET, GIT_ERROR_HTTP, GIT_ERROR_SSL, GIT_ERROR_SSH].contains(errorClass)
    }
}
