import Foundation
import Logging
import Synchronization
import Testing

@testable import CLI

/// No logged field can forge a log line: control and bidi characters reach the writing handler
/// escaped (issue 18, point 8).
@Suite struct LogEscapingTests {
    /// Records what reaches the writing handler.
    struct Recorder: LogHandler {
        let events: Events
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { self.metadata[key] }
            set { self.metadata[key] = newValue }
        }
        func log(event: LogEvent) { self.events.append(event) }
    }

    final class Events: Sendable {
        private let events = Mutex<[LogEvent]>([])
        func append(_ event: LogEvent) { self.events.withLock { $0.append(event) } }
        var all: [LogEvent] { self.events.withLock { $0 } }
    }

    static let forged = "web-0\n2026-12-07T20:00:00+0000 info devopsdefender : agent.vm=dd-cp agent registered"

    @Test("a claimed VM name carrying a newline and a fake log line stays on its line, in the message, metadata and handler metadata")
    func claimedNameCannotForgeALine() throws {
        let events = Events()
        var logger = Logger(label: "test") { _ in EscapingLogHandler(Recorder(events: events)) }
        logger[metadataKey: "peer"] = "\(Self.forged)"
        logger.notice("registration refused \(Self.forged)", metadata: ["agent.vm": "\(Self.forged)", "list": ["a\rb"]])
        #expect(events.all.count == 1)
        let event = try #require(events.all.first)
        let fields = [event.message.description, event.source] + (event.metadata ?? [:]).flatMap { [$0.key, "\($0.value)"] }
        #expect(fields.allSatisfy { !$0.contains("\n") && !$0.contains("\r") }, "\(fields)")
        #expect(event.metadata?["agent.vm"] == .string("web-0\\n2026-12-07T20:00:00+0000 info devopsdefender : agent.vm=dd-cp agent registered"))
        #expect(event.metadata?["peer"] != nil && event.metadata?["list"] == .array([.string("a\\rb")]))
    }

    @Test(
        "C0, DEL, C1, line separators and bidi controls are escaped; other text is kept",
        arguments: [
            ("a\u{1B}[31mb", "a\\u{1B}[31mb"), ("x\u{7F}\u{85}y", "x\\u{7F}\\u{85}y"), ("evil\u{202E}txt.exe", "evil\\u{202E}txt.exe"),
            ("\u{2066}a\u{2069}\u{2028}", "\\u{2066}a\\u{2069}\\u{2028}"), ("tab\there", "tab\\there"), ("dd-prod-web-0 é 日本", "dd-prod-web-0 é 日本"),
        ]
    )
    func escapes(input: String, expected: String) {
        #expect(LogEscaping.escaped(input) == expected)
    }

    @Test("the bootstrapped handlers, text and JSON, sit behind the escaping handler")
    func bootstrappedHandlersEscape() {
        #expect(LogBootstrap.handler(label: "test", level: .info, json: true).inner is JSONLinesLogHandler)
        #expect(LogBootstrap.handler(label: "test", level: .info, json: false).inner is StreamLogHandler)
        #expect(LogBootstrap.handler(label: "test", level: .notice, json: false).logLevel == .notice)
    }
}
