import CLibGit2
import Reconciler
import Synchronization

/// libgit2's process-wide state. It is initialised once, on first use, by a lazily-initialised
/// static (Swift runs such initialisers exactly once, thread-safely); it is never shut down.
/// Initialising also makes libgit2 hermetic for this process: no system, XDG or global git
/// configuration is read, and every plain-TCP stream (HTTP, and the socket under HTTPS) is a
/// ``DeadlineSocketStream``. Both are global to libgit2, so they apply to every libgit2 user in
/// the process — which is only this adapter.
enum LibGit2Runtime {
    /// nil once initialised; otherwise why initialising failed.
    private static let initialisationFailure: String? = Self.initialise()

    /// The CA locations libgit2 was last given (it keeps one pair per process).
    private static let certificateLocations = Mutex<CertificateLocations?>(nil)

    private struct CertificateLocations: Equatable {
        var file: String?
        var directory: String?
    }

    /// Initialises libgit2 if nothing has yet.
    static func ensureInitialised() throws(GitSourceError) {
        if let failure = Self.initialisationFailure { throw GitSourceError(.io, failure) }
    }

    /// Tells libgit2 which CAs to trust. The setting is per process, so sources in one process
    /// should share their CA configuration; it is re-applied only when it differs.
    static func useCertificates(file: String?, directory: String?) throws(GitSourceError) {
        guard file != nil || directory != nil else { return }
        let wanted = CertificateLocations(file: file, directory: directory)
        let failure: String? = Self.certificateLocations.withLock { current in
            guard current != wanted else { return nil }
            guard dd_git_set_ssl_cert_locations(file, directory) == 0 else { return LibGit2Error.lastMessage() }
            current = wanted
            return nil
        }
        if let failure {
            throw GitSourceError(
                .invalidConfiguration,
                "the CA file or directory could not be loaded (\(failure)); give a PEM bundle or a certificate directory"
            )
        }
    }

    /// Refuses a branch name git would refuse.
    static func checkBranchName(_ branch: String) throws(GitSourceError) {
        try Self.ensureInitialised()
        var valid: Int32 = 0
        guard !branch.hasPrefix("-"), git_reference_name_is_valid(&valid, "refs/heads/\(branch)") == 0, valid == 1 else {
            throw GitSourceError(.invalidConfiguration, "'\(branch)' is not a valid branch name; fix the configured branch")
        }
    }

    private static func initialise() -> String? {
        guard git_libgit2_init() >= 0 else { return "libgit2 could not be initialised: \(LibGit2Error.lastMessage())" }
        let levels = [GIT_CONFIG_LEVEL_PROGRAMDATA, GIT_CONFIG_LEVEL_SYSTEM, GIT_CONFIG_LEVEL_XDG, GIT_CONFIG_LEVEL_GLOBAL]
        for level in levels where dd_git_set_search_path(level, "") != 0 {
            return "libgit2 refused to ignore the global git configuration: \(LibGit2Error.lastMessage())"
        }
        _ = dd_git_set_user_agent("devopsdefender")
        guard DeadlineSocketStream.register() == 0 else {
            return "libgit2 refused the deadline socket stream: \(LibGit2Error.lastMessage())"
        }
        return nil
    }
}
