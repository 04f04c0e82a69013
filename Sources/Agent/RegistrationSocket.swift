import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// The agent's WebSocket to the control plane's register URL, on NIO directly so that every
/// phase has a deadline: the TCP connect, the upgrade, and each message the agent waits for or
/// sends. A deadline, or the task's cancellation (graceful shutdown), closes the connection,
/// which ends whatever was waiting on it; nothing here can hold the agent.
struct RegistrationSocket<C: Clock> where C.Duration == Duration {
    /// The largest message (and frame) accepted: a hello carries a quote of a few KB.
    static var maximumMessageSize: Int { 65_535 }

    private var frames: NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>
    private let watch: ConnectionWatch
    private let clock: C

    /// What the upgrade ends in.
    enum Upgrade: Sendable {
        case upgraded(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        case notUpgraded
    }

    /// Connects to `endpoint`, upgrades, and runs `body` with the socket; closes the connection
    /// when `body` returns or throws, when a deadline passes, or when the task is cancelled
    /// (then throws `CancellationError`). `phase` hears each phase as it starts.
    static func with(
        _ endpoint: RegistrationEndpoint,
        deadlines: RegistrationDeadlines,
        clock: C,
        phase: (RegistrationPhase) -> Void,
        _ body: (inout RegistrationSocket) async throws -> Void
    ) async throws {
        let watch = ConnectionWatch()
        defer { watch.closeChannel() }
        try await withTaskCancellationHandler {
            phase(.connecting)
            let upgrade = try await watch.within(deadlines.connect, .connecting, on: clock) {
                try await Self.connect(endpoint, watch: watch, timeout: deadlines.connect)
            }
            phase(.upgrading)
            let result = try await watch.within(deadlines.upgrade, .upgrading, on: clock) {
                do {
                    return try await upgrade.get()
                } catch let error as ChannelError {
                    throw RegistrationSocketError(
                        .closed,
                        phase: .upgrading,
                        "\(endpoint) closed the connection before completing the WebSocket upgrade (\(error))"
                    )
                } catch {
                    throw RegistrationSocketError(.protocolViolation, phase: .upgrading, "the WebSocket upgrade at \(endpoint) failed: \(error)")
                }
            }
            guard case .upgraded(let channel) = result else {
                let status = watch.responseStatus
                throw RegistrationSocketError(
                    .notUpgraded,
                    phase: .upgrading,
                    httpStatus: status,
                    "\(endpoint) answered HTTP \(status.map(String.init) ?? "?") instead of a WebSocket upgrade"
                )
            }
            do {
                try await channel.executeThenClose { inbound, outbound in
                    var socket = RegistrationSocket(frames: inbound.makeAsyncIterator(), outbound: outbound, watch: watch, clock: clock)
                    try await body(&socket)
                    try? await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: ByteBuffer()))
                }
            } catch {
                throw watch.explained(error)
            }
        } onCancel: {
            watch.close(.cancelled)
        }
    }

    private init(
        frames: NIOAsyncChannelInboundStream<WebSocketFrame>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>,
        watch: ConnectionWatch,
        clock: C
    ) {
        self.frames = frames
        self.outbound = outbound
        self.watch = watch
        self.clock = clock
    }

    /// Sends one binary message (masked, as a client must), within `limit`.
    func send(_ bytes: [UInt8], within limit: Duration, _ phase: RegistrationPhase) async throws {
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: ByteBuffer(bytes: bytes))
        try await self.watch.within(limit, phase, on: self.clock) { try await self.outbound.write(frame) }
    }

    /// The next binary message, within `limit`; pings are answered on the way.
    mutating func receive(within limit: Duration, _ phase: RegistrationPhase) async throws -> [UInt8] {
        let watch = self.watch
        return try await watch.within(limit, phase, on: self.clock) { try await self.nextMessage(phase) }
    }

    private mutating func nextMessage(_ phase: RegistrationPhase) async throws -> [UInt8] {
        var message: [UInt8]?
        while let frame = try await self.frames.next() {
            switch frame.opcode {
            case .ping:
                try await self.outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
                continue
            case .pong:
                continue
            case .connectionClose:
                throw RegistrationSocketError(.closed, phase: phase, "the control plane closed the WebSocket while \(phase)")
            case .binary where message == nil:
                message = Array(frame.unmaskedData.readableBytesView)
            case .continuation where message != nil:
                message?.append(contentsOf: frame.unmaskedData.readableBytesView)
            default:
                throw RegistrationSocketError(.protocolViolation, phase: phase, "unexpected \(frame.opcode) frame while \(phase)")
            }
            guard let complete = message, complete.count <= Self.maximumMessageSize else {
                throw RegistrationSocketError(.protocolViolation, phase: phase, "a message over \(Self.maximumMessageSize) bytes while \(phase)")
            }
            if frame.fin { return complete }
        }
        throw RegistrationSocketError(.closed, phase: phase, "the control plane closed the connection while \(phase)")
    }
}
