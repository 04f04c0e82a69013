import Logging

extension Logger {
    /// A logger that writes nothing: the default of every library type that logs, so a library
    /// never writes through the process's logging backend unless its caller hands it a logger.
    public static let discarding = Logger(label: "devopsdefender.discarding") { _ in SwiftLogNoOpLogHandler() }
}
