import HummingbirdWebSocket
import NIOCore

/// Reads binary WebSocket messages as byte arrays, at most one Noise message (65,535 bytes)
/// each: a text message, or a larger one, is a protocol violation.
public struct WebSocketFrames {
    /// A message this protocol never sends.
    public struct Unexpected: Error, CustomStringConvertible {
        /// What arrived.
        public var description: String
    }

    /// The largest message: one Noise message.
    public static let maximumSize = 65_535

    private var iterator: WebSocketInboundMessageStream.AsyncIterator

    /// Wraps an inbound stream.
    public init(_ inbound: WebSocketInboundStream) {
        self.iterator = inbound.messages(maxSize: Self.maximumSize).makeAsyncIterator()
    }

    /// The next binary message, nil when the peer closed.
    public mutating func next() async throws -> [UInt8]? {
        guard let message = try await self.iterator.next() else { return nil }
        switch message {
        case .binary(let buffer): return Array(buffer.readableBytesView)
        case .text: throw Unexpected(description: "a text message; registration speaks binary Noise messages only")
        }
    }
}
