import Foundation
import Logging

/// Writes each log message as one JSON object on one line (for journald, Cloud Logging and `jq`):
/// `{"timestamp":"…","level":"info","label":"…","message":"…","metadata":{…},"source":"…"}`.
/// Metadata keys are sorted, so equal messages give equal lines.
struct JSONLinesLogHandler: LogHandler {
    /// The logger's label (`devopsdefender.control-plane`).
    let label: String
    /// Where lines go.
    let sink: Terminal
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, sink: Terminal) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let metadata = event.metadata { merged.merge(metadata) { _, new in new } }
        let line = Self.line(
            timestamp: Date(),
            level: event.level,
            label: self.label,
            message: event.message.description,
            metadata: merged,
            source: event.source
        )
        self.sink.write(line + "\n")
    }

    /// One log line, without its newline.
    static func line(
        timestamp: Date,
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata,
        source: String
    ) -> String {
        var object: [String: Any] = [
            "timestamp": Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(timestamp),
            "level": level.rawValue,
            "label": label,
            "message": message,
            "source": source,
        ]
        if !metadata.isEmpty { object["metadata"] = metadata.mapValues(Self.plain) }
        guard
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return #"{"level":"error","message":"unencodable log message"}"# }
        return String(decoding: data, as: UTF8.self)
    }

    /// A metadata value as JSON: strings and string-convertibles as strings, arrays and
    /// dictionaries as JSON arrays and objects.
    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): values.map(Self.plain)
        case .dictionary(let values): values.mapValues(Self.plain)
        }
    }
}
