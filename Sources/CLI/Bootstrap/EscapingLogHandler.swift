import Logging

/// A log handler in front of the one that writes (text or JSON lines): the message, the
/// metadata keys and values — the handler's own, the provider's and the event's, and an error
/// (as metadata) — and the source
/// reach it escaped (``LogEscaping``), so no logged field can forge a line.
struct EscapingLogHandler: LogHandler {
    /// The handler that writes.
    var inner: any LogHandler
    /// The handler's own metadata (escaped when logged).
    var metadata: Logger.Metadata = [:]
    /// Metadata from the task-local context (escaped when logged).
    var metadataProvider: Logger.MetadataProvider?

    init(_ inner: any LogHandler) {
        self.inner = inner
        self.metadataProvider = inner.metadataProvider
        self.metadata = inner.metadata
        // Only what was set is cleared: a handler without provider support complains otherwise.
        if !inner.metadata.isEmpty { self.inner.metadata = [:] }
        if inner.metadataProvider != nil { self.inner.metadataProvider = nil }
    }

    var logLevel: Logger.Level {
        get { self.inner.logLevel }
        set { self.inner.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let metadata = event.metadata { merged.merge(metadata) { _, new in new } }
        if let error = event.error {
            // As the text handler would show it, but escaped.
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var escaped = event
        escaped.error = nil
        escaped.message = "\(LogEscaping.escaped(event.message.description))"
        escaped.metadata = merged.isEmpty ? nil : LogEscaping.escaped(merged)
        escaped.source = LogEscaping.escaped(event.source)
        self.inner.log(event: escaped)
    }
}
