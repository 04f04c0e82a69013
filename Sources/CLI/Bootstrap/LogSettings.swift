import ArgumentParser
import Logging

/// How a process logs: the lowest level written and the format. Built from ``LoggingOptions`` (or
/// the defaults, for commands without them) and applied once, by ``LogBootstrap``.
struct LogSettings: Sendable, Equatable {
    /// The format of each log line.
    enum Format: String, Sendable, CaseIterable, ExpressibleByArgument {
        /// Human text on a terminal, JSON lines otherwise.
        case auto
        /// `2026-12-04T21:27:10Z info devopsdefender.agent: registered vm=…`.
        case text
        /// One JSON object per line: `timestamp`, `level`, `label`, `message`, `metadata`, `source`.
        case json
    }

    /// Messages below this level are dropped.
    var level: Logger.Level = .info
    /// The line format.
    var format: Format = .auto
}

/// `--log-level` and `--log-format`, for the commands that log (the long-running ones and those
/// that call the clouds). Logs go to standard error; standard output stays the command's result.
struct LoggingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The lowest level logged: trace, debug, info, notice, warning, error or critical.",
            discussion: "debug shows every cloud API call (method, path, status, latency; never a token).",
            valueName: "level"
        )
    )
    var logLevel: Logger.Level = .info

    @Option(help: ArgumentHelp("Log line format: auto (text on a terminal, JSON lines otherwise), text or json.", valueName: "format"))
    var logFormat: LogSettings.Format = .auto

    /// The settings these flags give.
    var settings: LogSettings { LogSettings(level: self.logLevel, format: self.logFormat) }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A command whose logging is configured by flags; the entry point bootstraps logging from them.
protocol LoggingConfigurable {
    /// The command's logging flags.
    var logging: LoggingOptions { get }
}
