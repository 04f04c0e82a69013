import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bootstraps `swift-log` once per process, from the entry point: human text on a terminal, JSON
/// lines otherwise (or what `--log-format` says), at `--log-level`, always to standard error so
/// that standard output stays a command's result (a plan, JSON, exports).
enum LogBootstrap {
    /// Installs the handler `settings` describe. Call once, before any logger is made.
    static func bootstrap(_ settings: LogSettings) {
        let json = Self.writesJSON(settings.format, standardErrorIsTerminal: isatty(2) == 1)
        LoggingSystem.bootstrap { label in Self.handler(label: label, level: settings.level, json: json) }
    }

    /// The handler of logger `label`: JSON lines or text, behind ``EscapingLogHandler`` so no
    /// logged field can forge a line.
    static func handler(label: String, level: Logger.Level, json: Bool, sink: Terminal = .standardError) -> EscapingLogHandler {
        if json { return EscapingLogHandler(JSONLinesLogHandler(label: label, level: level, sink: sink)) }
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return EscapingLogHandler(handler)
    }

    /// Whether lines are JSON: as asked, or (auto) when standard error is not a terminal.
    static func writesJSON(_ format: LogSettings.Format, standardErrorIsTerminal: Bool) -> Bool {
        switch format {
        case .json: true
        case .text: false
        case .auto: !standardErrorIsTerminal
        }
    }
}
